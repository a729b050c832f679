/** Why a turn larger than a batch may hold was dropped as it came. */
export function tooLargeError(bytes: number, maxQueueBytes: number): Error {
  return new Error(
    `a turn of about ${bytes} bytes is more than a batch may hold (half of maxQueueBytes, ${Math.floor(maxQueueBytes / 2)} bytes); it was dropped so that it could not evict smaller turns`,
  );
}
