/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of each secret in `text` with `[redacted]`.
 *
 * Servers sometimes echo what they were sent ("invalid key sk-..."), and error messages end up in logs
 * and error trackers, so anything the client sent as a credential is scrubbed before it can reach an
 * error. Secrets shorter than 4 characters are skipped: replacing them would mangle ordinary text while
 * protecting nothing.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}
