// The queues' byte count through the trail, randomized: two destinations whose batches are sent, retried,
// dropped, rejected or answered wrongly in any order, under turns that resend, edit, trim and cut their
// history, with redact (skipping, throwing, reshaping), `turnMessages: 'new'`, invalid turns, feedback and an
// onDrop hook that throws. After every step each lane counts no less than its pending turns hold (each
// message object once, earlier messages included) and no more than their whole sizes and the thread arrays
// they read before their own messages; at the end, 0.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { heldBytes, seededRandom, threadBytes, wholeBytes } from '../../test/queue-bytes-kit';
import type { ChatTrailDestination, DeliveryOutcome } from '../spec/chat-trail-destination';
import { createChatTrail } from './create-chat-trail';
import { DeliveryLane } from './delivery-lane';

afterEach(() => vi.restoreAllMocks());

describe('queue bytes through the trail', () => {
  for (const variant of ['plain', 'redact', 'new'] as const)
    for (const seed of [1, 2]) {
      it(`${variant} seed ${seed}`, async () => {
        const lanes = new Set<DeliveryLane>();
        const orig = DeliveryLane.prototype.enqueue;
        vi.spyOn(DeliveryLane.prototype, 'enqueue').mockImplementation(function (
          this: DeliveryLane,
          ...args
        ) {
          lanes.add(this);
          return orig.apply(this, args as never);
        });
        const next = seededRandom(seed * 31 + variant.length);
        const resolvers: (() => void)[] = [];
        let allSent = false;
        const mk = (name: string, fb: boolean): ChatTrailDestination => ({
          name,
          acceptsFeedback: fb,
          send: (items) =>
            new Promise<DeliveryOutcome[]>((resolve, reject) => {
              resolvers.push(() => {
                const r = next();
                if (!allSent && r < 0.05) return reject(new Error('boom'));
                if (!allSent && r < 0.07) return resolve('nope' as never);
                const outs: DeliveryOutcome[] = items.map((): DeliveryOutcome => {
                  const x = next();
                  if (allSent || x < 0.5) return { status: 'sent' };
                  if (x < 0.8) return { status: 'retry', error: new Error('later') };
                  return {
                    status: 'dropped',
                    reason: 'permanent_error',
                    error: Object.assign(new Error('no'), { status: 400 }),
                  };
                });
                if (!allSent && next() < 0.1) outs.pop();
                resolve(outs);
              });
            }),
        });
        const trail = createChatTrail({
          destinations: [mk('a', true), mk('b', false)],
          maxQueueBytes: 50_000 + Math.floor(next() * 50_000),
          maxQueueTurns: 40,
          maxBatchTurns: 8,
          flushAt: 1,
          flushIntervalMs: 1,
          backoff: { initialMs: 1, maxMs: 2 },
          onError: () => {},
          onDrop: () => {
            if (next() < 0.3) throw new Error('hook');
          },
          turnMessages: variant === 'new' ? 'new' : 'history',
          redact:
            variant === 'redact'
              ? (t) => {
                  const r = next();
                  if (r < 0.1) return null;
                  if (r < 0.15) throw new Error('redact');
                  if (r < 0.2) return { ...t, messages: t.messages.slice(1) };
                  return t;
                }
              : undefined,
        });
        const T = 6;
        const hist: { role: string; content: string; id?: string; toolCalls?: unknown }[][] = Array.from(
          { length: T },
          () => [],
        );
        let n = 0;
        const check = () => {
          for (const lane of lanes) {
            const pending = lane.pendingItems();
            const q = lane.snapshot().queuedBytes;
            expect(q, `step ${n} lane ${lane.name} held`).toBeGreaterThanOrEqual(heldBytes(pending));
            const fb = pending.filter((i) => i.type === 'feedback').length;
            expect(q, `step ${n} lane ${lane.name} whole`).toBeLessThanOrEqual(
              wholeBytes(pending) + threadBytes(pending) + fb * 10_000,
            );
          }
        };
        for (let step = 0; step < 600; step++) {
          n = step;
          const roll = next();
          if (roll < 0.15 && resolvers.length > 0) {
            const k = Math.floor(next() * resolvers.length);
            resolvers.splice(k, 1)[0]!();
            await new Promise((r) => setTimeout(r, 0));
          } else if (roll < 0.2) {
            await new Promise((r) => setTimeout(r, 3));
          } else if (roll < 0.23) {
            trail.feedback({
              threadId: `t${Math.floor(next() * T)}`,
              type: 'positive',
              text: 'x'.repeat(50),
            });
          } else if (roll < 0.25) {
            trail.record({ messages: [{ role: 'user', content: 'x' }] } as never);
          } else {
            const t = Math.floor(next() * T);
            const prev = hist[t]!;
            const k = next();
            let carried = prev.map((m) => ({ ...m }));
            if (k < 0.1)
              carried = carried.map((m, i) =>
                i === Math.floor(carried.length / 2) ? { ...m, content: `${m.content}!` } : m,
              );
            else if (k < 0.2)
              carried = [
                carried[0] ?? { role: 'system', content: 'sys' },
                ...carried.slice(Math.min(carried.length, 3)),
              ];
            else if (k < 0.25) carried = carried.slice(0, Math.max(0, carried.length - 2));
            else if (k < 0.3) carried = [];
            if (carried.length === 0) carried.push({ role: 'system', content: `sys-${t}` });
            const withId = next() < 0.3;
            const user = {
              role: 'user',
              content: `u${n}${'x'.repeat(Math.floor(next() * 3000))}`,
              ...(withId ? { id: `u-${t}-${n}` } : {}),
            };
            const asst: { role: string; content: string; toolCalls?: unknown } = {
              role: 'assistant',
              content: `a${n}${'y'.repeat(Math.floor(next() * 3000))}`,
            };
            if (next() < 0.1) asst.toolCalls = [{ id: 'c', name: 'f', args: { q: n } }];
            const messages = [...carried, user, asst];
            hist[t] = messages;
            const turn: Record<string, unknown> = {
              threadId: `t${t}`,
              messages: variant === 'new' ? messages.slice(-2) : messages,
              status: next() < 0.1 ? 'error' : 'ok',
            };
            if (next() < 0.1) turn.turnMessages = next() < 0.5 ? 'new' : 'history';
            if (next() < 0.2) turn.metadata = { k: 'v'.repeat(100) };
            trail.record(turn as never);
          }
          check();
        }
        allSent = true;
        // Until every lane is empty: batches start minBatchIntervalMs (500 ms) apart, so this takes seconds,
        // many more on a loaded machine; the bound only stops a lane that never empties.
        const drainUntil = Date.now() + 40_000;
        while (Date.now() < drainUntil && [...lanes].some((l) => l.pending > 0)) {
          while (resolvers.length > 0) resolvers.shift()!();
          await new Promise((r) => setTimeout(r, 1));
          check();
        }
        for (const lane of lanes) {
          expect(lane.pending).toBe(0);
          expect(lane.snapshot().queuedBytes).toBe(0);
        }
        await trail.shutdown({ timeoutMs: 10 });
      });
    }
});
