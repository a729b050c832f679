import { canonicalIsoTime, daysIn } from '../internal/parse-iso-date';
import { boundId } from '../normalize/bound-id';
import { jsonByteLength } from '../normalize/json-byte-length';
import { toJsonSafe } from '../normalize/to-json-safe';
import { truncateUtf8 } from '../normalize/truncate-utf8';
import { wellFormed } from '../normalize/well-formed';
import type { JsonObject, JsonValue, TurnUser } from '../spec/turn';

// Dates that pydantic and every JS runtime read the same way; anything else parseable is rewritten as ISO.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
// Nested values are bounded per payload, so a tool output of a million rows cannot be walked to the end.
const PAYLOAD_MAX_NODES = 5_000;
// Names, roles, user and model fields: short by nature, bounded so none carries a payload.
const MAX_NAME_BYTES = 1024;

/** Any value JSON-safe and bounded to about `maxBytes` of JSON (else as truncated JSON text). */
export function safeJson(value: unknown, maxBytes: number): JsonValue {
  if (typeof value === 'string') return wellFormed(truncateUtf8(value, maxBytes));
  const safe = toJsonSafe(value, { maxStringBytes: maxBytes, maxNodes: PAYLOAD_MAX_NODES });
  return isObject(safe) && jsonByteLength(safe) > maxBytes
    ? truncateUtf8(JSON.stringify(safe), maxBytes)
    : safe;
}

/** Metadata: a JSON-safe object bounded like {@link safeJson}; anything that is not an object is left out. */
export function safeObject(value: unknown, maxBytes: number): JsonObject | undefined {
  if (!isObject(value) || Array.isArray(value)) return undefined;
  const safe = safeJson(value, maxBytes);
  if (typeof safe === 'string') return { _truncated: safe };
  return isObject(safe) && !Array.isArray(safe) ? safe : undefined;
}

/** Strict ISO 8601 of a real instant as given; other parseable dates (and epoch numbers, Dates) rewritten as ISO. */
export function dateTime(value: unknown): string | undefined {
  if (typeof value === 'string' && (canonicalIsoTime(value) !== undefined || realInstant(value)))
    return value;
  const time =
    typeof value === 'string' ? Date.parse(value) : value instanceof Date ? value.getTime() : value;
  if (typeof time !== 'number' || !Number.isFinite(time) || Math.abs(time) > 8.64e15) return undefined;
  return new Date(time).toISOString();
}

/** ISO 8601 of a real instant (the pattern alone takes month 13, 31 April or hour 99; `Date.parse` rolls some over). */
function realInstant(text: string): boolean {
  if (!ISO_DATE_TIME.test(text)) return false;
  const [month, day] = [Number(text.slice(5, 7)), Number(text.slice(8, 10))];
  const inMonth = month >= 1 && month <= 12 && day >= 1 && day <= daysIn(Number(text.slice(0, 4)), month);
  return inMonth && Number.isFinite(Date.parse(text));
}

/** A name-like string from the host, well-formed and at most {@link MAX_NAME_BYTES}. */
export function shortText(value: string): string {
  return wellFormed(truncateUtf8(value, MAX_NAME_BYTES));
}

export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A user with `id` bounded and the name fields of `raw` as short texts. */
export function turnUser(id: string, raw: object): TurnUser {
  const { email, name, username } = raw as Record<string, unknown>;
  const user: TurnUser = { id: boundId(id) };
  if (typeof email === 'string') user.email = shortText(email);
  if (typeof name === 'string') user.name = shortText(name);
  if (typeof username === 'string') user.username = shortText(username);
  return user;
}

export function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}
