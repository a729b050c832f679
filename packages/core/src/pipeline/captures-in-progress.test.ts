import { describe, expect, it } from 'vitest';
import {
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  MIELTO_KEY,
  melodiThreads,
  mieltoConversations,
  PROJECT_ID,
} from '../../test/trail-test-kit';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import type { Turn } from '../spec/turn';
import { createChatTrail } from './create-chat-trail';

closeServersAfterEach();

async function trailToDevserver() {
  const server = await devServer();
  const trail = createChatTrail({
    destinations: [
      mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl }),
      melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl }),
    ],
  });
  /** What each backend holds, as `backend: contents`. */
  const stored = async () => ({
    mielto: (await mieltoConversations(server)).flatMap((c) => c.messages.map((m) => m.content)),
    melodi: (await melodiThreads(server)).flatMap((t) => t.messages.map((m) => m.content)),
  });
  return { trail, stored };
}

function turn(threadId: string, question: string): Turn {
  const now = new Date().toISOString();
  return {
    id: `turn-${question}`,
    threadId,
    messages: [
      { id: `${question}-q`, role: 'user', content: question },
      { id: `${question}-a`, role: 'assistant', content: `answer to ${question}` },
    ],
    startedAt: now,
    endedAt: now,
    status: 'ok',
    source: 'manual',
  };
}

/** One macrotask later, as the Express adapter records after a response's 'close'. */
const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));

describe('flush() and shutdown() wait for the captures in progress', () => {
  it('flush() resolves once a capture that began before it has recorded, with its turn at both backends', async () => {
    const { trail, stored } = await trailToDevserver();
    const end = trail.beginCapture();
    const flushed = trail.flush();
    await nextMacrotask();
    trail.record(turn('t1', 'late'));
    end();
    expect(await flushed).toEqual({ ok: true, pendingTurns: 0 });
    expect(await stored()).toEqual({
      mielto: ['late', 'answer to late'],
      melodi: ['late', 'answer to late'],
    });
    await trail.shutdown();
  });

  it('a capture that never ends holds one flush up to its timeout, is reported, and no later flush waits for it', async () => {
    const { trail, stored } = await trailToDevserver();
    trail.beginCapture(); // never ended: a stream the app abandoned
    trail.record(turn('t2', 'queued'));
    const first = await trail.flush({ timeoutMs: 300 });
    expect(first).toMatchObject({ ok: false, openCaptures: 1 });
    // The queued turn still went out, in what was left of the timeout or in the background meanwhile.
    trail.record(turn('t2', 'next'));
    expect(await trail.flush()).toEqual({ ok: true, pendingTurns: 0 });
    expect((await stored()).mielto).toEqual(['queued', 'answer to queued', 'next', 'answer to next']);
    await trail.shutdown();
  });

  it('flush() waits only for the captures open when it is called, not for those begun meanwhile', async () => {
    const { trail } = await trailToDevserver();
    const first = trail.beginCapture();
    const flushed = trail.flush();
    const second = trail.beginCapture(); // never ended before the flush resolves
    await nextMacrotask();
    first();
    first(); // again: nothing
    expect(await flushed).toEqual({ ok: true, pendingTurns: 0 });
    second();
    await trail.shutdown();
  });

  it("shutdown() lets the captures in progress record (not dropped as 'shutdown'), then closes", async () => {
    const { trail, stored } = await trailToDevserver();
    const end = trail.beginCapture();
    const shutDown = trail.shutdown();
    // Nothing waits for a capture begun after shutdown(): a no-op.
    const late = trail.beginCapture();
    await nextMacrotask();
    trail.record(turn('t3', 'finishing'));
    end();
    late();
    expect(await shutDown).toEqual({ ok: true, pendingTurns: 0 });
    trail.record(turn('t3', 'after'));
    expect(trail.stats()).toMatchObject({ recorded: 2, dropped: { shutdown: 1 } });
    expect((await stored()).melodi).toEqual(['finishing', 'answer to finishing']);
  });

  it('a disabled trail waits for nothing', async () => {
    const trail = createChatTrail({ disabled: true });
    trail.beginCapture();
    expect(await trail.flush({ timeoutMs: 60_000 })).toEqual({ ok: true, pendingTurns: 0 });
  });
});
