import { afterEach, describe, expect, it, vi } from 'vitest';
import { threadBytes } from '../../test/queue-bytes-kit';
import {
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  MIELTO_KEY,
  PROJECT_ID,
} from '../../test/trail-test-kit';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnMessage } from '../spec/turn';
import { createChatTrail } from './create-chat-trail';
import { DeliveryLane } from './delivery-lane';
import { PinnedThreads } from './pinned-threads';
import { WorkerDelivery } from './worker-delivery';

closeServersAfterEach();
afterEach(() => vi.restoreAllMocks());

const message = (id: string): TurnMessage => ({ id, role: 'user', content: id });
const reading = (thread: TurnMessage[], start: number): DeliveryItem => ({
  type: 'turn',
  turn: { messages: thread.slice(start) } as Turn,
  thread,
  start,
});

describe('PinnedThreads', () => {
  it('counts each thread array once, at the most any of its turns reads, until its last turn leaves', () => {
    const pins = new PinnedThreads();
    const x = [message('a'), message('b'), message('c')];
    const y = [message('d'), message('e')];
    const [x1, x2, y1] = [reading(x, 1), reading(x, 2), reading(y, 1)];
    pins.hold(x1, 100);
    pins.hold(x2, 250); // the log extended `x` in place: the later turn reads more of it
    pins.hold(y1, 40);
    expect(pins.bytes).toBe(290);
    pins.release(x2);
    expect(pins.bytes).toBe(290); // `x1` still reads the array
    pins.release(x1);
    expect(pins.bytes).toBe(40);
    // A turn that starts its thread reads nothing before its own messages; a feedback item has no thread.
    pins.hold(reading(x, 0), 500);
    pins.hold({ type: 'feedback', feedback: { threadId: 't', messageId: 'm', rating: 'up' } } as never, 500);
    expect(pins.bytes).toBe(40);
    pins.release(y1);
    expect(pins.bytes).toBe(0);
  });
});

// 600 threads whose app sends only the new messages (`turnMessages: 'new'`), two of 1,000 characters a turn, 20
// rounds while the backend hangs: each thread grows to 40 messages in the log (≈ 44 KB; 26 MB in all, more than
// the log's 16 MiB, so it lets threads go). Each queued turn is small but reads its whole thread (Melodi sends
// it whole): only counting those arrays keeps what the queues hold inside 4 MiB.
const THREADS = 600;
const ROUNDS = 20;
const TEXT = 'x'.repeat(1_000);
const MAX_QUEUE_BYTES = 4 * 1024 * 1024;
const TURN = {
  startedAt: '2025-01-01T00:00:00.000Z',
  endedAt: '2025-01-01T00:00:01.000Z',
  status: 'ok',
} as const;

function turnOf(thread: number, round: number): Turn {
  const threadId = `pinned-${thread}`;
  const messages = (['user', 'assistant'] as const).map((role, i) => ({
    id: `${threadId}-r${round}-${i}`,
    role,
    content: TEXT,
  }));
  return { ...TURN, source: 'manual', id: `${threadId}-t${round}`, threadId, messages };
}

describe("a destination's byte bound counts the threads its queued turns read", () => {
  for (const delivery of ['inline', 'worker'] as const) {
    it(`keeps queuedBytes and the thread arrays held within maxQueueBytes while the backend hangs (${delivery})`, async () => {
      const server = await devServer();
      server.setFaults([{ route: '*', hang: true }]);
      // The lanes' turns as the app's thread holds them (a worker's too: kept until it says sent or dropped).
      const lanes = new Set<{ name: string; pendingItems(): DeliveryItem[] }>();
      const { enqueue } = DeliveryLane.prototype;
      vi.spyOn(DeliveryLane.prototype, 'enqueue').mockImplementation(function (this: DeliveryLane, ...args) {
        lanes.add(this);
        return enqueue.apply(this, args);
      });
      const { add } = WorkerDelivery.prototype;
      vi.spyOn(WorkerDelivery.prototype, 'add').mockImplementation(function (this: WorkerDelivery, ...args) {
        lanes.add(args[0]);
        return add.apply(this, args);
      });
      const trail = createChatTrail({
        destinations: [
          mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl }),
          melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl }),
        ],
        delivery,
        maxQueueBytes: MAX_QUEUE_BYTES,
        turnMessages: 'new',
        timeoutMs: 60_000,
        onError: () => {},
      });
      for (let round = 0; round < ROUNDS; round++)
        for (let thread = 0; thread < THREADS; thread++) trail.record(turnOf(thread, round));
      // A worker's lanes drop what is over the bound once it has taken the turns, and report it: until then
      // the app's thread counts every turn it handed over (it keeps them to resend should the worker die).
      await vi.waitFor(
        () => {
          for (const name of ['mielto', 'melodi']) {
            const destination = trail.stats().destinations[name]!;
            expect(destination.dropped.queue_full, name).toBeGreaterThan(0);
            expect(destination.queuedBytes, name).toBeLessThanOrEqual(MAX_QUEUE_BYTES);
          }
        },
        { timeout: 60_000, interval: 50 },
      );
      expect(trail.stats().queuedBytes).toBeLessThanOrEqual(2 * MAX_QUEUE_BYTES);
      // What their turns hold, thread arrays included, is within the bound.
      expect(lanes.size).toBe(2);
      for (const lane of lanes) {
        expect(threadBytes(lane.pendingItems()), lane.name).toBeLessThanOrEqual(MAX_QUEUE_BYTES);
      }
      await trail.shutdown({ timeoutMs: 300 });
    });
  }
});
