import { type ChildProcess, fork } from 'node:child_process';
import type { Turn, TurnMessage } from '@chattrail/core';

const INSTANCE = new URL('./instance.mjs', import.meta.url).pathname;

export interface InstanceConfig {
  redisUrl: string;
  prefix: string;
  mieltoBaseUrl: string;
  melodiBaseUrl: string;
  flushTimeoutMs?: number;
}

/** App instances in child processes (test/instance.mjs), each with its own trail and Redis connection. */
export class Instances {
  readonly #children: ChildProcess[] = [];
  readonly #waiting = new Map<number, (ok: boolean) => void>();
  #next = 0;
  readonly ended: { stats: any; errors: string[] }[] = [];

  static async start(count: number, config: InstanceConfig): Promise<Instances> {
    const instances = new Instances();
    await Promise.all(
      Array.from({ length: count }, async () => {
        const child = fork(INSTANCE, [JSON.stringify(config)], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        instances.#children.push(child);
        child.once('exit', (code) => {
          for (const resolve of instances.#waiting.values()) resolve(false);
          if (code !== 0 && code !== null) console.error(`instance exited with ${code}`);
        });
        child.on('message', (message: any) => {
          if (message.type === 'done') {
            instances.#waiting.get(message.id)?.(message.ok);
            instances.#waiting.delete(message.id);
          } else if (message.type === 'ended') instances.ended.push(message);
        });
        await new Promise<void>((resolve, reject) => {
          child.once('message', () => resolve());
          child.once('exit', (code) => reject(new Error(`instance exited (${code}) before it was ready`)));
        });
      }),
    );
    return instances;
  }

  get size(): number {
    return this.#children.length;
  }

  /** Sends a turn to instance `index`; resolves once it was recorded and flushed there (true: delivered). */
  send(index: number, turn: Turn): Promise<boolean> {
    const id = this.#next++;
    const child = this.#children[index]!;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, resolve);
      child.send({ type: 'turn', id, turn }, (error) => error && reject(error));
    });
  }

  /** Shuts every instance down (trail.shutdown, store.close) and waits for it to exit. */
  async end(): Promise<void> {
    await Promise.all(
      this.#children.map(async (child) => {
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send({ type: 'end' });
        await exited;
      }),
    );
  }

  /** Kills whatever is left (after a failed test). */
  kill(): void {
    for (const child of this.#children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** A seeded random (mulberry32): the same run every time. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Turn `k` (0-based) of a thread: its whole history, then the k-th question and its answer. */
export function turnOf(threadId: string, k: number): Turn {
  const messages: TurnMessage[] = [];
  for (let i = 0; i <= k; i++) {
    // No id: the trail gives each its stable id (thread, position, role, content), the same on every instance.
    messages.push({ id: '', role: 'user', content: `${threadId} question ${i}` });
    messages.push({ id: '', role: 'assistant', content: `${threadId} answer ${i}` });
  }
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, k)).toISOString();
  return {
    id: `${threadId}-turn-${k}`,
    threadId,
    messages,
    startedAt: at,
    endedAt: at,
    status: 'ok',
    source: 'manual',
  };
}
