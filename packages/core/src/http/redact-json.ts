import type { SecretRedactor } from './redact-secrets';

/**
 * A copy of parsed JSON with every string and key redacted. Parsing first unescapes a key the server
 * JSON-escaped. Too deep a body throws a `RangeError`, which the caller handles.
 */
export function redactJson(value: unknown, redact: SecretRedactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redact));
  // fromEntries defines own properties, so a `__proto__` key stays a key and never becomes a prototype.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [redact(key), redactJson(item, redact)]),
  );
}
