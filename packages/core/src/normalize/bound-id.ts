import { textHash } from './message-id';
import { utf8Prefix } from './truncate-utf8';
import { utf8ByteLength } from './utf8-byte-length';
import { wellFormed } from './well-formed';

/**
 * UTF-8 bytes an id from the host (thread, user, turn, message, tool call) may take as it is. Backends
 * index and repeat ids (a thread id travels with every request of the thread, a message id with every
 * message), and a huge one gets a 413 that drops the whole thread.
 */
export const MAX_ID_BYTES = 256;
/** UTF-8 bytes of a long id kept at the front of its short form, so it stays recognisable. */
const SHORT_ID_PREFIX_BYTES = 64;

// The last long id and its short form: record() bounds the thread id before sampling, normalizeTurn and
// feedback again, and an adapter passes the same string with every turn of the thread.
let lastLong: string | undefined;
let lastShort = '';

/** Whether `id` is longer than {@link MAX_ID_BYTES} as UTF-8 (O(1) for ids that are clearly short). */
export function isLongId(id: string): boolean {
  if (id.length * 3 <= MAX_ID_BYTES) return false;
  return id.length > MAX_ID_BYTES || utf8ByteLength(id) > MAX_ID_BYTES;
}

/**
 * An id from the host as it may be sent: well-formed (lone surrogates become U+FFFD), and at most
 * {@link MAX_ID_BYTES} of UTF-8. A longer one becomes its first 64 bytes, `…` and a 16-hex-digit hash of
 * the whole id: stable (the same id always gives the same short id, in every process and runtime, so a
 * thread stays one thread), about 84 bytes, and a linear pass over the long id, once.
 */
export function boundId(id: string): string {
  if (!isLongId(id)) return wellFormed(id);
  if (id === lastLong) return lastShort;
  const short = `${wellFormed(utf8Prefix(id, SHORT_ID_PREFIX_BYTES))}…${textHash(id)}`;
  lastLong = id;
  lastShort = short;
  return short;
}

/** What a turn's metadata keeps of a long id that {@link boundId} shortened: its first {@link MAX_ID_BYTES}. */
export function longIdPrefix(id: string): string {
  return wellFormed(utf8Prefix(id, MAX_ID_BYTES));
}
