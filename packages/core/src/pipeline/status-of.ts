/**
 * The HTTP status an error carries, if any. Errors here may come from custom destinations, so reading one
 * must not throw (a getter may): a lane in the middle of settling a batch cannot be left half done.
 */
export function statusOf(error: unknown): number | undefined {
  try {
    const status = (error as { status?: unknown } | null | undefined)?.status;
    return typeof status === 'number' ? status : undefined;
  } catch {
    return undefined;
  }
}
