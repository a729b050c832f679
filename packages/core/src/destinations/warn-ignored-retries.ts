import { warnOnce } from '../options/warn-once';

/** The deprecated `maxRetries` is ignored (the trail retries batches): any value but 0 warns once. */
export function warnIgnoredRetries(where: string, maxRetries: unknown): void {
  if (maxRetries === undefined || maxRetries === 0) return;
  warnOnce(
    `maxRetries:${where}`,
    `${where}: maxRetries is deprecated and ignored: inside a trail each request is sent once per attempt and the trail retries failed batches itself (see maxAttempts).`,
  );
}
