const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** Replaces e-mail addresses with `[email]`. */
export function maskEmails(text: string): string {
  return text.includes('@') ? text.replace(EMAIL, '[email]') : text;
}
