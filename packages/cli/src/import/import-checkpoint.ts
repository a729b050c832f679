import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a checkpoint keeps per input: only what the destinations acknowledged. Never a key or a URL. */
export interface InputCheckpoint {
  /** Every line up to this one (1-based) was delivered, skipped or recorded as failed. */
  line: number;
  imported: number;
  skipped: number;
  failed: number;
  messages: number;
  updatedAt: string;
}

export interface CheckpointFile {
  version: 1;
  /** Keyed by the input's absolute path. */
  inputs: Record<string, InputCheckpoint>;
}

/** The checkpoint at `path`; an empty one when there is none. A file that is not a checkpoint is an error. */
export function readCheckpoint(path: string): CheckpointFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, inputs: {} };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not a chattrail checkpoint (not JSON); move it away or pass --checkpoint`);
  }
  const file = parsed as Partial<CheckpointFile> | null;
  if (file === null || typeof file !== 'object' || file.version !== 1 || typeof file.inputs !== 'object') {
    throw new Error(`${path} is not a chattrail checkpoint (version 1); move it away or pass --checkpoint`);
  }
  return file as CheckpointFile;
}

/**
 * Writes the checkpoint so that a kill at any moment leaves the old one or the new one, never half of
 * either: to a temporary file beside it, then renamed over it.
 */
export function writeCheckpoint(path: string, checkpoint: CheckpointFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
  renameSync(temporary, path);
}
