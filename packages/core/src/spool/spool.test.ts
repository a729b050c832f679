import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConversationScript } from '../../test/trail-test-kit';
import type { ChatTrailError } from '../errors';
import { createChatTrail } from '../pipeline/create-chat-trail';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';
import type { TurnMessage } from '../spec/turn';

const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
const dirs: string[] = [];

afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chattrail-spool-'));
  dirs.push(dir);
  return dir;
}

/** A destination that keeps what it is sent, or never answers (`hang`): a backend that is down. */
function destination(name: string, hang = false): ChatTrailDestination & { items: DeliveryItem[] } {
  const items: DeliveryItem[] = [];
  return {
    name,
    items,
    acceptsFeedback: true,
    send: (batch) => {
      if (hang) return new Promise(() => {});
      items.push(...batch);
      return Promise.resolve(batch.map(() => ({ status: 'sent' as const })));
    },
  };
}

/** Turns of `threads` threads, each resending its history. */
function record(trail: { record(turn: any): void }, threads: number, turns: number): ConversationScript[] {
  const scripts = Array.from({ length: threads }, (_, i) => new ConversationScript(`thread-${i}`));
  for (let t = 0; t < turns; t++) for (const script of scripts) trail.record(script.turn());
  return scripts;
}

/** The thread a destination that writes whole threads builds from a turn item. */
function wholeThread(item: DeliveryItem): string[] {
  if (item.type !== 'turn') return [];
  const before: readonly TurnMessage[] = item.thread?.slice(0, item.start) ?? [];
  return [...before, ...item.turn.messages].map((message) => message.id);
}

function segments(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
}

describe('spool', () => {
  it('replays what was not acknowledged, once per destination, whole threads included, and deletes what was', async () => {
    const dir = tempDir();
    const up = destination('up');
    const first = createChatTrail({ destinations: [up, destination('down', true)], spool: { dir } });
    const scripts = record(first, 4, 5);
    await first.flush({ timeoutMs: 200 });
    expect(up.items).toHaveLength(20);
    expect(first.stats().spool).toMatchObject({ state: 'on', dir });
    await first.shutdown({ timeoutMs: 1 });
    expect(segments(dir).length).toBeGreaterThan(0);

    const again = destination('up');
    const down = destination('down');
    const second = createChatTrail({ destinations: [again, down], spool: { dir } });
    expect(second.stats().spool?.replayed).toBe(20);
    expect((await second.flush({ timeoutMs: 10_000 })).ok).toBe(true);
    expect(again.items).toHaveLength(0);
    expect(down.items).toHaveLength(20);
    // The last turn of each thread, as a whole-thread destination builds it, is the thread.
    for (const script of scripts) {
      const last = down.items
        .filter((item) => item.type === 'turn' && item.turn.threadId === script.threadId)
        .at(-1)!;
      expect(wholeThread(last)).toEqual(script.history.map((message) => message.id));
    }
    await second.shutdown();
    expect(segments(dir)).toEqual([]);
  });

  it('replays a thread whole from a later segment after an older one was deleted', async () => {
    const dir = tempDir();
    const trail = createChatTrail({
      destinations: [destination('down', true)],
      spool: { dir, maxBytes: 8192 },
    });
    const [script] = record(trail, 1, 1);
    // Enough other threads for the thread's first turn's segment to roll over.
    record(trail, 40, 1);
    await trail.flush({ timeoutMs: 1 });
    trail.record(script!.turn());
    await trail.shutdown({ timeoutMs: 1 });
    const down = destination('down');
    const next = createChatTrail({ destinations: [down], spool: { dir, maxBytes: 8192 } });
    await next.flush({ timeoutMs: 10_000 });
    const last = down.items
      .filter((item) => item.type === 'turn' && item.turn.threadId === 'thread-0')
      .at(-1);
    expect(last).toBeDefined();
    expect(wholeThread(last!)).toEqual(script!.history.map((message) => message.id));
    await next.shutdown();
  });

  it('keeps the directory within maxBytes, dropping the oldest deliveries and counting them', async () => {
    const dir = tempDir();
    const errors: ChatTrailError[] = [];
    const trail = createChatTrail({
      destinations: [destination('down', true)],
      spool: { dir, maxBytes: 16 * 1024 },
      onError: (error) => errors.push(error),
    });
    for (let i = 0; i < 10; i++) {
      record(trail, 20, 1);
      await trail.flush({ timeoutMs: 1 }); // one write each, so segments roll between them
    }
    const stats = trail.stats();
    expect(stats.dropped.spool_full).toBeGreaterThan(0);
    expect(stats.destinations.down!.dropped.spool_full).toBe(stats.dropped.spool_full);
    // Bounded: one write may overshoot before the oldest segment goes.
    expect(stats.spool!.bytes).toBeLessThanOrEqual(2 * 16 * 1024);
    expect(errors.filter((error) => /spool_full/.test(error.message))).toHaveLength(1);
    await trail.shutdown({ timeoutMs: 1 });
  });

  it('falls back to memory, and says so once, when the disk is full', async () => {
    const dir = tempDir();
    const errors: ChatTrailError[] = [];
    const up = destination('up');
    const trail = createChatTrail({ destinations: [up], spool: { dir }, onError: (e) => errors.push(e) });
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    vi.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw full;
    });
    expect(() => record(trail, 3, 4)).not.toThrow();
    expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);
    record(trail, 3, 1);
    await trail.flush({ timeoutMs: 10_000 });
    expect(up.items).toHaveLength(15);
    expect(trail.stats().spool?.state).toBe('memory');
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/^spool: ENOSPC.*goes on in memory/),
    ]);
    await trail.shutdown();
  });

  it('falls back to memory, and says so once, when the directory cannot be created', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const errors: ChatTrailError[] = [];
    const up = destination('up');
    const trail = createChatTrail({
      destinations: [up],
      spool: { dir: join(file, 'spool') },
      onError: (e) => errors.push(e),
    });
    record(trail, 2, 2);
    expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);
    expect(up.items).toHaveLength(4);
    expect(trail.stats().spool?.state).toBe('memory');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^spool: .*(ENOTDIR|EEXIST).*in memory/);
    await trail.shutdown();
  });

  it('runs in memory, and says so once, where node:fs cannot be had (Edge runtimes, browsers, Node < 20.16)', async () => {
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never);
    const errors: ChatTrailError[] = [];
    const up = destination('up');
    const trail = createChatTrail({
      destinations: [up],
      spool: { dir: tempDir() },
      onError: (e) => errors.push(e),
    });
    record(trail, 2, 2);
    expect((await trail.flush({ timeoutMs: 10_000 })).ok).toBe(true);
    expect(up.items).toHaveLength(4);
    expect(trail.stats().spool?.state).toBe('memory');
    expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/node:fs is not available/)]);
    await trail.shutdown();
  });

  it('skips a last line cut by a crash, and goes on after it', async () => {
    const dir = tempDir();
    const first = createChatTrail({ destinations: [destination('down', true)], spool: { dir } });
    record(first, 3, 2);
    await first.shutdown({ timeoutMs: 1 });
    const [segment] = segments(dir);
    appendFileSync(join(dir, segment!), '{"n":99,"m":1,"t":{"threadId":"cut');
    const down = destination('down');
    const second = createChatTrail({ destinations: [down], spool: { dir } });
    expect((await second.flush({ timeoutMs: 10_000 })).ok).toBe(true);
    expect(down.items).toHaveLength(6);
    await second.shutdown();
    expect(segments(dir)).toEqual([]);
  });

  it('takes over a lock left by an earlier process with the same id (a restarted container is pid 1 again)', async () => {
    const dir = tempDir();
    const first = createChatTrail({ destinations: [destination('down', true)], spool: { dir } });
    record(first, 1, 2);
    await first.shutdown({ timeoutMs: 1 });
    writeFileSync(join(dir, 'lock'), String(process.pid)); // as a killed process with this id left it
    const down = destination('down');
    const next = createChatTrail({ destinations: [down], spool: { dir } });
    expect(next.stats().spool).toMatchObject({ dir, replayed: 2 });
    await next.shutdown();
    expect(down.items).toHaveLength(2);
  });

  it('reads CHATTRAIL_SPOOL_DIR, and spool: false turns it off', async () => {
    const dir = tempDir();
    const env = { CHATTRAIL_SPOOL_DIR: dir };
    const on = createChatTrail({ destinations: [destination('up')], env });
    expect(on.stats().spool?.dir).toBe(dir);
    await on.shutdown();
    const off = createChatTrail({ destinations: [destination('up')], env, spool: false });
    expect(off.stats().spool).toBeUndefined();
    await off.shutdown();
    expect(() =>
      createChatTrail({ destinations: [destination('up')], spool: { dir, maxBytes: -1 } }),
    ).toThrow(/spool.maxBytes must be a positive integer/);
  });

  it('gives a second trail on a locked directory its own subdirectory, replayed by whoever next holds the lock', async () => {
    const dir = tempDir();
    const holder = createChatTrail({ destinations: [destination('d')], spool: { dir } });
    const other = createChatTrail({ destinations: [destination('d', true)], spool: { dir } });
    const sub = other.stats().spool!.dir;
    expect(sub).not.toBe(dir);
    expect(sub.startsWith(`${dir}/`)).toBe(true);
    record(other, 2, 3);
    await other.shutdown({ timeoutMs: 1 });
    await holder.shutdown();
    expect(segments(sub).length).toBeGreaterThan(0);

    const d = destination('d');
    const next = createChatTrail({ destinations: [d], spool: { dir } });
    expect(next.stats().spool).toMatchObject({ dir, replayed: 6 });
    await next.flush({ timeoutMs: 10_000 });
    expect(d.items).toHaveLength(6);
    expect(readdirSync(dir).filter((name) => name.startsWith('p'))).toEqual([]);
    await next.shutdown();
  });
});
