/**
 * Runs `task` for every item with at most `limit` running at once, and resolves when all have settled.
 * Tasks are expected to handle their own errors (a rejection is swallowed here, not propagated), because
 * one thread's failure must never stop the others of the batch.
 */
export async function runWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        await task(items[index]!, index);
      } catch {
        // See above: the task reports its own failures.
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
}
