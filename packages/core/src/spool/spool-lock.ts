import { quietly } from '../internal/quietly';
import type { SpoolFs } from './spool-fs';

/** Where a spool writes: `dir` itself under its lock, or a subdirectory of its own. */
export interface SpoolPlace {
  readonly dir: string;
  readonly lock: string;
  /** Whether it holds `dir`'s own lock: only then does it replay the leftovers of other processes. */
  readonly main: boolean;
}

const LOCK = 'lock';
// Locks this process holds: one naming our pid but not here is a same-pid predecessor's (a container pid 1).
const held = new Set<string>();

/**
 * Takes `dir`'s lock (a file holding the pid, created exclusively), or when a live process holds it a
 * subdirectory's own, so two processes never append to one file. A dead process's lock is taken over.
 */
export function lockSpoolDir(fs: SpoolFs, dir: string, pid: number): SpoolPlace {
  fs.mkdirSync(dir, { recursive: true });
  if (tryLock(fs, `${dir}/${LOCK}`, pid)) return { dir, lock: `${dir}/${LOCK}`, main: true };
  const sub = `${dir}/p${pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  fs.mkdirSync(sub, { recursive: true });
  if (!tryLock(fs, `${sub}/${LOCK}`, pid)) throw new Error(`could not lock ${sub}`);
  return { dir: sub, lock: `${sub}/${LOCK}`, main: false };
}

/** Lets a lock go (best effort: a lock left behind names a process that is gone, and is taken over). */
export function unlockSpoolDir(fs: SpoolFs, place: SpoolPlace): void {
  held.delete(place.lock);
  quietly(() => {
    fs.unlinkSync(place.lock);
    if (!place.main) fs.rmdirSync(place.dir); // only once empty: what is left is replayed from there
  });
}

/** The subdirectories of `dir` whose process is gone: theirs to replay for whoever holds `dir`'s lock. */
export function orphanDirs(fs: SpoolFs, dir: string, pid: number): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !holderAlive(fs, `${dir}/${entry.name}/${LOCK}`, pid))
    .map((entry) => `${dir}/${entry.name}`);
}

function tryLock(fs: SpoolFs, path: string, pid: number): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(path, String(pid), { flag: 'wx' });
      held.add(path);
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
    if (holderAlive(fs, path, pid)) return false;
    quietly(() => fs.unlinkSync(path)); // its process is gone; one who took it over first wins
  }
  return false;
}

/** Whether the process named in the lock file runs; a missing or unreadable file has none. */
function holderAlive(fs: SpoolFs, path: string, ownPid: number): boolean {
  const text = quietly(() => fs.readFileSync(path, 'utf8'));
  if (text === undefined) return false;
  const pid = Number.parseInt(text, 10);
  if (pid === ownPid) return held.has(path);
  return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid);
}

/** Whether a process with this id runs (a signal 0 probe: EPERM means it runs as another user). */
function isProcessAlive(pid: number): boolean {
  const runtime = globalThis as { process?: { kill?: (pid: number, signal: number) => void } };
  try {
    runtime.process?.kill?.(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}
