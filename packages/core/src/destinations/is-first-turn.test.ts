import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevServer } from '@chattrail/devserver';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConversationScript,
  closeServersAfterEach,
  devServer,
  MIELTO_KEY,
  mieltoConversations,
  requestsOf,
} from '../../test/trail-test-kit';
import type { ChatTrailOptions } from '../pipeline/chat-trail-options';
import { createChatTrail } from '../pipeline/create-chat-trail';
import { terminateDeliveryWorkers } from '../pipeline/worker-delivery';
import type { Turn } from '../spec/turn';
import { isFirstTurn } from './mielto-conversation-resolver';
import { mielto } from './mielto-destination';

closeServersAfterEach();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const USER = { id: 'user-ada' };
const CREATE = 'POST /api/v1/conversations';
const LOOKUP = 'GET /api/v1/conversations';
const APPEND = 'POST /api/v1/messages';

/** The Mielto API requests the devserver answered, oldest first. */
function mieltoRequests(server: DevServer): string[] {
  return requestsOf(server)
    .filter((request) => request.path.startsWith('/api/v1/'))
    .map((request) => `${request.method} ${request.path}`);
}

/** Per route: a request whose answer hung is logged only once its connection ends. */
function countsOf(server: DevServer) {
  const count = (route: string) => requestsOf(server, route).length;
  return { created: count(CREATE), lookedUp: count(LOOKUP), appended: count(APPEND) };
}

/** Waits until the devserver stored a conversation (its creation's answer may hang). */
async function createdOne(server: DevServer): Promise<void> {
  await vi.waitFor(async () => expect(await mieltoConversations(server)).toHaveLength(1), {
    timeout: 30_000,
    interval: 20,
  });
}

function trailOf(server: DevServer, options: ChatTrailOptions = {}) {
  return createChatTrail({
    destinations: [mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl })],
    ...options,
  });
}

/** The first turn of a new thread, after a system prompt. */
function firstTurn(threadId: string): Turn {
  const script = new ConversationScript(threadId, USER);
  script.message('system', 'You are terse.');
  return script.turn();
}

describe('isFirstTurn', () => {
  const turn = (messages: Turn['messages'], turnMessages?: Turn['turnMessages']): Turn => ({
    id: 't',
    threadId: 'th',
    messages,
    startedAt: '',
    endedAt: '',
    status: 'ok',
    source: 'manual',
    ...(turnMessages === undefined ? {} : { turnMessages }),
  });
  const system = { id: 's', role: 'system', content: 'be brief' } as const;
  const user = { id: 'u', role: 'user', content: 'hi' } as const;
  const answer = { id: 'a', role: 'assistant', content: 'hello' } as const;

  it('is one user message after nothing but system messages, recorded as the whole history', () => {
    expect(isFirstTurn(turn([system, user, answer], 'history'))).toBe(true);
    expect(isFirstTurn(turn([user], 'history'))).toBe(true);
    // Only new messages, or a mode nobody vouched for (a replay, an app's own send()): unknown.
    expect(isFirstTurn(turn([system, user, answer], 'new'))).toBe(false);
    expect(isFirstTurn(turn([system, user, answer]))).toBe(false);
    expect(isFirstTurn(turn([user, answer, { ...user, id: 'u2' }, answer], 'history'))).toBe(false);
    expect(isFirstTurn(turn([answer, user], 'history'))).toBe(false);
    expect(isFirstTurn(turn([answer], 'history'))).toBe(false);
  });
});

describe('mielto destination: the first turn of a new thread', () => {
  it('costs a creation and an append, no lookup, when the turn carries the whole history', async () => {
    const server = await devServer();
    const trail = trailOf(server);
    trail.record(firstTurn('thread-first'));
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
    expect(mieltoRequests(server)).toEqual([CREATE, APPEND]);
    expect(await mieltoConversations(server)).toHaveLength(1);
  });

  it("is still looked up with turnMessages: 'new' (a restarted app's turn looks the same)", async () => {
    const server = await devServer();
    const trail = trailOf(server, { turnMessages: 'new' });
    trail.record(firstTurn('thread-new-mode'));
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
    expect(mieltoRequests(server)).toEqual([LOOKUP, CREATE, APPEND]);
  });

  it("costs one append for a thread's second turn when this process knows the thread", async () => {
    const server = await devServer();
    const trail = trailOf(server);
    const script = new ConversationScript('thread-known', USER);
    trail.record(script.turn());
    expect((await trail.flush()).ok).toBe(true);
    const before = mieltoRequests(server).length;
    trail.record(script.turn());
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
    expect(mieltoRequests(server).slice(before)).toEqual([APPEND]);
  });

  it('looks a replayed first turn up: the crashed process had created its conversation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chattrail-first-turn-'));
    dirs.push(dir);
    // The creation is stored and its answer never comes: the process ends with the turn in its spool.
    const server = await devServer({ faults: [{ route: CREATE, after: 'hang', times: 1 }] });
    const crashed = trailOf(server, { spool: { dir } });
    crashed.record(firstTurn('thread-replayed'));
    await createdOne(server);
    expect((await crashed.shutdown({ timeoutMs: 1 })).ok).toBe(false);

    const next = trailOf(server, { spool: { dir } });
    expect(next.stats().spool?.replayed).toBe(1);
    expect(await next.shutdown({ timeoutMs: 30_000 })).toEqual({ ok: true, pendingTurns: 0 });
    expect(countsOf(server)).toEqual({ created: 1, lookedUp: 1, appended: 1 });
    const conversations = await mieltoConversations(server);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.messages.map((m) => m.content)).toEqual([
      'You are terse.',
      'question 1',
      'answer 1',
    ]);
  });

  it('looks up a first turn re-sent to a new delivery worker: the dead one had created its conversation', async () => {
    const server = await devServer({ faults: [{ route: CREATE, after: 'hang', times: 1 }] });
    const trail = trailOf(server, { delivery: 'worker' });
    trail.record(firstTurn('thread-resent'));
    await createdOne(server);
    expect(await terminateDeliveryWorkers()).toBe(1);
    expect(await trail.shutdown({ timeoutMs: 30_000 })).toEqual({ ok: true, pendingTurns: 0 });
    expect(countsOf(server)).toEqual({ created: 1, lookedUp: 1, appended: 1 });
    expect(await mieltoConversations(server)).toHaveLength(1);
  });
});
