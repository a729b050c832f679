/**
 * Whether a thread is kept at `sampleRate` (0..1), by its id, so a thread is recorded whole or not at all,
 * in every process and replica: 32-bit FNV-1a over the UTF-16 code units, mapped to [0, 1).
 */
export function isThreadSampled(threadId: string, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  if (!(sampleRate > 0)) return false;
  let hash = 0x811c9dc5;
  for (let i = 0; i < threadId.length; i++) hash = Math.imul(hash ^ threadId.charCodeAt(i), 0x01000193);
  // A final avalanche so ids that differ only in their last character spread over the whole range.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return (hash >>> 0) / 0x1_0000_0000 < sampleRate;
}
