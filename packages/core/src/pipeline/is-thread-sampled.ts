/** Whether a thread is kept at `sampleRate`, by its id (whole or not at all, in every replica): FNV-1a. */
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
