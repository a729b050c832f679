import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type MelodiState, MelodiStore } from './melodi-store.js';
import { type MieltoState, MieltoStore } from './mielto-store.js';

interface PersistedState {
  format: 1;
  mielto: MieltoState;
  melodi: MelodiState;
}

/**
 * Everything both emulated backends hold. `version` rises on every change so the viewer can poll a
 * number instead of the data. With `persistPath`, changes are written (debounced, atomically via a
 * temporary file) so the demo's threads survive a restart.
 */
export class DevStore {
  version = 0;
  readonly mielto = new MieltoStore(() => this.changed());
  readonly melodi = new MelodiStore(() => this.changed());
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly persistPath?: string) {
    if (persistPath) this.loadFrom(persistPath);
  }

  private loadFrom(path: string): void {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return; // first run: nothing saved yet
    }
    try {
      const state = JSON.parse(text) as PersistedState;
      if (state.format !== 1) throw new Error(`unknown format ${String(state.format)}`);
      this.mielto.load(state.mielto);
      this.melodi.load(state.melodi);
    } catch (err) {
      throw new Error(`cannot read devserver data from ${path}: ${(err as Error).message}`);
    }
  }

  private changed(): void {
    this.version++;
    if (this.persistPath && !this.saveTimer) {
      this.saveTimer = setTimeout(() => this.save(), 100);
      this.saveTimer.unref();
    }
  }

  /** Writes pending changes now; called on close so nothing recorded before shutdown is lost. */
  save(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.persistPath) return;
    const state: PersistedState = { format: 1, mielto: this.mielto.toJSON(), melodi: this.melodi.toJSON() };
    const tmp = `${this.persistPath}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, this.persistPath);
  }

  reset(): void {
    this.mielto.clear();
    this.melodi.clear();
    this.changed();
  }
}
