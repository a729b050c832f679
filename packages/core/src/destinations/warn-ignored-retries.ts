import { warnOnce } from '../options/warn-once';

/**
 * The deprecated `maxRetries` of a destination or the trail: ignored, since a request inside a trail is
 * sent once per attempt and the trail's lane retries the batch. 0 (what now happens) says nothing; any
 * other value warns once per process.
 */
export function warnIgnoredRetries(where: string, maxRetries: unknown): void {
  if (maxRetries === undefined || maxRetries === 0) return;
  warnOnce(
    `maxRetries:${where}`,
    `${where}: maxRetries is deprecated and ignored: inside a trail each request is sent once per attempt and the trail retries failed batches itself (see maxAttempts).`,
  );
}
