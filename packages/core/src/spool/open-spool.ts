import { optionChecker } from '../options/option-checker';
import type { SpoolOptions } from '../spec/chat-trail';
import { Spool, type SpoolHost } from './spool';
import { loadSpoolFs } from './spool-fs';
import type { SpoolLane } from './spool-segment';

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_FSYNC_MS = 100;

/**
 * The trail's spool: `spool` when given (`false`: none), else one in `CHATTRAIL_SPOOL_DIR` when set.
 * @throws {ChatTrailError} for a bad option; a disk that cannot hold it goes to `host.failed`.
 */
export function openSpool(
  given: SpoolOptions | false | undefined,
  envDir: string | undefined,
  lanes: readonly SpoolLane[],
  host: SpoolHost,
): Spool | undefined {
  if (given === false || (given === undefined && envDir === undefined)) return undefined;
  const check = optionChecker('createChatTrail');
  if (given !== undefined && (given === null || typeof given !== 'object'))
    check.fail('spool', 'an object { dir, maxBytes?, fsyncMs? } or false', given);
  const dir = given === undefined ? envDir! : check.string('spool.dir', given.dir);
  if (dir === undefined) return check.fail('spool.dir', 'a directory path', given?.dir);
  const settings = {
    dir: dir.endsWith('/') && dir.length > 1 ? dir.slice(0, -1) : dir,
    maxBytes: check.positiveInteger('spool.maxBytes', given?.maxBytes, DEFAULT_MAX_BYTES),
    fsyncMs: check.nonNegativeNumber('spool.fsyncMs', given?.fsyncMs, DEFAULT_FSYNC_MS),
  };
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return new Spool(loadSpoolFs(), settings, lanes, host, pid);
}
