const MAX_WARNINGS = 10;

/**
 * How capture failures are reported: to the app's `onError`, else as console warnings (the first ten per
 * middleware, so a systematic failure cannot flood a log). Never throws.
 */
export function createErrorReporter(
  onError: ((error: unknown) => void) | undefined,
): (error: unknown) => void {
  if (onError !== undefined) {
    return (error) => {
      try {
        onError(error);
      } catch {
        // The app's reporter failed too; there is nowhere left to report to.
      }
    };
  }
  let warnings = 0;
  return (error) => {
    if (warnings >= MAX_WARNINGS) return;
    warnings++;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const tail = warnings === MAX_WARNINGS ? ' (further capture errors are not shown)' : '';
    console.warn(
      `[@chattrail/express] capturing a chat turn failed; the request was not affected${tail}\n${detail}`,
    );
  };
}
