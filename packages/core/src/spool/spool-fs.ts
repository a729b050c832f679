/** The `node:fs` calls the spool makes, synchronous so that a file's lines are in the order they happened. */
export interface SpoolFs {
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  writeSync(fd: number, text: string): number;
  fsyncSync(fd: number): void;
  readFileSync(path: string, encoding: 'utf8'): string;
  unlinkSync(path: string): void;
  renameSync(from: string, to: string): void;
  mkdirSync(path: string, options: { recursive: boolean }): unknown;
  rmdirSync(path: string): void;
  readdirSync(path: string, options: { withFileTypes: true }): { name: string; isDirectory(): boolean }[];
}

/** `node:fs` looked up at run time, so the entry still loads on Edge and in browsers and no bundler pulls it. */
export function loadSpoolFs(): SpoolFs | undefined {
  try {
    const runtime = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
    const fs = runtime.process?.getBuiltinModule?.('node:fs') as SpoolFs | undefined;
    return typeof fs?.writeSync === 'function' ? fs : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this id runs (a signal 0 probe: EPERM means it runs as another user). */
export function isProcessAlive(pid: number): boolean {
  const runtime = globalThis as { process?: { kill?: (pid: number, signal: number) => void } };
  try {
    runtime.process?.kill?.(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/** Best effort: what is left behind (a lock, a directory, a file) the next start deals with. */
export function quietly(action: () => void): void {
  try {
    action();
  } catch {}
}
