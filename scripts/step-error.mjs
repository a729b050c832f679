/** A check step that failed in a way the check explains itself (no stack trace wanted). */
export class StepError extends Error {}

/** The last `lines` lines of a child's output, for an error message. */
export const tail = (text, lines = 25) => text.trim().split('\n').slice(-lines).join('\n');
