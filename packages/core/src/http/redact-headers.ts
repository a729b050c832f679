import type { SecretRedactor } from './redact-secrets';

/**
 * A copy of response headers with `redact` applied to every value. A header whose name carries a secret
 * is left out: `[redacted]` is no valid header name.
 */
export function redactHeaders(headers: Headers, redact: SecretRedactor): Headers {
  const redacted = new Headers();
  headers.forEach((value, name) => {
    if (redact(name) === name) redacted.append(name, redact(value));
  });
  return redacted;
}
