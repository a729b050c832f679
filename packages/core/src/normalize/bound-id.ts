import { textHash } from './message-id';
import { utf8Prefix } from './truncate-utf8';
import { utf8ByteLength } from './utf8-byte-length';
import { wellFormed } from './well-formed';

/** UTF-8 bytes a host id may take as is: backends repeat ids, and a huge one 413s the whole thread. */
export const MAX_ID_BYTES = 256;
const SHORT_ID_PREFIX_BYTES = 64;

// The last long id and its short form: a thread's id is bounded several times per turn, every turn.
let lastLong: string | undefined;
let lastShort = '';

/** Longer than {@link MAX_ID_BYTES} as UTF-8 (O(1) for ids that are clearly short). */
export function isLongId(id: string): boolean {
  return id.length * 3 > MAX_ID_BYTES && (id.length > MAX_ID_BYTES || utf8ByteLength(id) > MAX_ID_BYTES);
}

/** A host id, well-formed and at most {@link MAX_ID_BYTES}: else its first 64 bytes, `…` and a hash. */
export function boundId(id: string): string {
  if (!isLongId(id)) return wellFormed(id);
  if (id === lastLong) return lastShort;
  const short = `${wellFormed(utf8Prefix(id, SHORT_ID_PREFIX_BYTES))}…${textHash(id)}`;
  lastLong = id;
  lastShort = short;
  return short;
}

/** What a turn's metadata keeps of an id {@link boundId} shortened. */
export function longIdPrefix(id: string): string {
  return wellFormed(utf8Prefix(id, MAX_ID_BYTES));
}
