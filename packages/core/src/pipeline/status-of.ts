import { quietly } from '../internal/quietly';

/** The HTTP status an error carries, if any; never throws (a custom destination's error may have a getter). */
export function statusOf(error: unknown): number | undefined {
  const status = quietly(() => (error as { status?: unknown } | null | undefined)?.status);
  return typeof status === 'number' ? status : undefined;
}
