import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConversationScript,
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  MIELTO_KEY,
  PROJECT_ID,
  requestsOf,
} from '../../test/trail-test-kit';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import { ChatTrailError } from '../errors';
import { MieltoClient } from '../mielto/mielto-client';
import type { ChatTrailDestination } from '../spec/chat-trail-destination';
import type { ChatTrailOptions } from './chat-trail-options';
import { createChatTrail } from './create-chat-trail';

closeServersAfterEach();
afterEach(() => {
  vi.restoreAllMocks();
});

const sink: ChatTrailDestination = {
  name: 'sink',
  send: async (items) => items.map(() => ({ status: 'sent' as const })),
};

/** The message `createChatTrail` throws with for `options` (it must throw a ChatTrailError). */
function thrownBy(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ChatTrailError);
    return (error as Error).message;
  }
  throw new Error('did not throw');
}

describe('options policy: a bad option throws at construction, naming the option and the value', () => {
  const cases: [Partial<Record<keyof ChatTrailOptions, unknown>>, string][] = [
    [{ flushAt: -1 }, 'createChatTrail: flushAt must be a positive integer, got -1'],
    [{ flushAt: 2.5 }, 'createChatTrail: flushAt must be a positive integer, got 2.5'],
    [{ flushIntervalMs: 0 }, 'createChatTrail: flushIntervalMs must be a positive number, got 0'],
    [{ minBatchIntervalMs: -1 }, 'createChatTrail: minBatchIntervalMs must be a non-negative number, got -1'],
    [{ sampleRate: 1.5 }, 'createChatTrail: sampleRate must be a number from 0 to 1, got 1.5'],
    [{ sampleRate: Number.NaN }, 'createChatTrail: sampleRate must be a number from 0 to 1, got NaN'],
    [{ maxQueueTurns: 0 }, 'createChatTrail: maxQueueTurns must be a positive integer, got 0'],
    [{ maxQueueBytes: -10 }, 'createChatTrail: maxQueueBytes must be a positive number, got -10'],
    [{ maxBatchTurns: '10' }, 'createChatTrail: maxBatchTurns must be a positive integer, got "10"'],
    [
      { maxQueueTurns: 100, maxBatchTurns: 60 },
      'createChatTrail: maxBatchTurns must be at most half of maxQueueTurns (50), got 60',
    ],
    [
      { timeoutMs: Number.POSITIVE_INFINITY },
      'createChatTrail: timeoutMs must be a positive number, got Infinity',
    ],
    [{ maxAttempts: 0 }, 'createChatTrail: maxAttempts must be a positive integer, got 0'],
    [{ maxMessageBytes: 0.5 }, 'createChatTrail: maxMessageBytes must be a positive integer, got 0.5'],
    [{ maxMessagesPerTurn: -3 }, 'createChatTrail: maxMessagesPerTurn must be a positive integer, got -3'],
    [{ captureContent: 'no' }, 'createChatTrail: captureContent must be true or false, got "no"'],
    [{ debug: 1 }, 'createChatTrail: debug must be true or false, got 1'],
    [{ disabled: 'true' }, 'createChatTrail: disabled must be true or false, got "true"'],
    [{ turnMessages: 'all' }, `createChatTrail: turnMessages must be one of 'history', 'new', got "all"`],
    [{ redact: true }, 'createChatTrail: redact must be a function, got true'],
    [{ onError: 'console' }, 'createChatTrail: onError must be a function, got "console"'],
    [{ onDrop: {} }, 'createChatTrail: onDrop must be a function, got an object'],
    [{ waitUntil: 1 }, 'createChatTrail: waitUntil must be a function, got 1'],
    [{ fetch: 'fetch' }, 'createChatTrail: fetch must be a function, got "fetch"'],
    [{ env: 'prod' }, 'createChatTrail: env must be an object, got "prod"'],
    [{ backoff: 500 }, 'createChatTrail: backoff must be an object, got 500'],
    [{ backoff: { initialMs: -1 } }, 'createChatTrail: backoff.initialMs must be a positive number, got -1'],
    [{ backoff: { maxMs: 0 } }, 'createChatTrail: backoff.maxMs must be a positive number, got 0'],
    [{ destinations: sink }, 'createChatTrail: destinations must be an array, got an object'],
    [
      { destinations: [sink, undefined] },
      'createChatTrail: destinations[1] must be a destination (an object with a name and send()), got undefined',
    ],
  ];
  it.each(cases)('createChatTrail(%o)', (options, message) => {
    expect(thrownBy(() => createChatTrail({ destinations: [sink], ...options } as ChatTrailOptions))).toBe(
      message,
    );
  });

  it('throws for a bad option of a disabled trail too: the mistake shows in every environment', () => {
    expect(thrownBy(() => createChatTrail({ disabled: true, flushAt: 0 }))).toMatch(/flushAt/);
  });

  it('accepts the edges of each range', () => {
    const trail = createChatTrail({
      destinations: [sink],
      sampleRate: 0,
      flushAt: 1,
      minBatchIntervalMs: 0,
      maxQueueTurns: 1,
      maxBatchTurns: 1,
      maxAttempts: 1,
      maxMessageBytes: 1,
      maxMessagesPerTurn: 1,
      turnMessages: 'new',
      captureContent: false,
    });
    expect(trail.stats().recorded).toBe(0);
  });

  it('derives maxBatchTurns from a small maxQueueTurns instead of throwing for its default', async () => {
    const trail = createChatTrail({ destinations: [sink], maxQueueTurns: 10 });
    trail.record(new ConversationScript('small-queue').turn());
    expect(await trail.shutdown()).toEqual({ ok: true, pendingTurns: 0 });
  });

  const constructors: [() => unknown, string][] = [
    [
      () => mielto({ apiKey: 'k', concurrency: 0 }),
      'mielto(): concurrency must be a positive integer, got 0',
    ],
    [
      () => mielto({ apiKey: 'k', lookupPages: -1 }),
      'mielto(): lookupPages must be a non-negative integer, got -1',
    ],
    [
      () => mielto({ apiKey: 'k', maxMessagesPerRequest: 1.5 }),
      'mielto(): maxMessagesPerRequest must be a positive integer, got 1.5',
    ],
    [
      () => mielto({ apiKey: 'k', maxTrackedThreads: 0 }),
      'mielto(): maxTrackedThreads must be a positive integer, got 0',
    ],
    [
      () => mielto({ apiKey: 'k', maxTrackedMessages: -1 }),
      'mielto(): maxTrackedMessages must be a positive integer, got -1',
    ],
    [() => mielto({ apiKey: 'k', timeoutMs: 0 }), 'mielto(): timeoutMs must be a positive number, got 0'],
    [
      () => mielto({ apiKey: 'k', delivery: 'exactly-once' as never }),
      `mielto(): delivery must be one of 'at-most-once', 'at-least-once', got "exactly-once"`,
    ],
    [() => mielto({ apiKey: 'k', name: '' }), 'mielto(): name must be a non-empty string, got ""'],
    [
      () => mielto({ apiKey: 'k', agentId: 7 as never }),
      'mielto(): agentId must be a non-empty string, got 7',
    ],
    [
      () => mielto({ apiKey: 'k', conversationStore: { get: () => undefined } as never }),
      'mielto(): conversationStore must be an object with get() and set(), got an object',
    ],
    [
      () => melodi({ apiKey: 'k', projectId: 1, concurrency: -2 }),
      'melodi(): concurrency must be a positive integer, got -2',
    ],
    [
      () => melodi({ apiKey: 'k', projectId: 1, maxKeptMessages: Number.NaN }),
      'melodi(): maxKeptMessages must be a non-negative integer, got NaN',
    ],
    [
      () => melodi({ apiKey: 'k', projectId: 1, timeoutMs: -1 }),
      'melodi(): timeoutMs must be a positive number, got -1',
    ],
    [
      () => new MieltoClient({ apiKey: 'k', maxRetries: -1 }),
      'Mielto: maxRetries must be a non-negative integer, got -1',
    ],
    [
      () => new MieltoClient({ apiKey: 'k', timeoutMs: 0 }),
      'Mielto: timeoutMs must be a positive number of milliseconds, got 0',
    ],
    [
      () => new MieltoClient({ apiKey: 'k', authStyle: 'basic' as never }),
      `MieltoClient: authStyle must be one of 'bearer', 'x-api-key', got "basic"`,
    ],
    [
      () => new MieltoClient({ apiKey: 'k', fetch: 'fetch' as never }),
      'Mielto: fetch must be a function, got "fetch"',
    ],
    [
      () => new MieltoClient({ apiKey: 'k', defaultHeaders: 'x' as never }),
      'Mielto: defaultHeaders must be an object, got "x"',
    ],
  ];
  it.each(constructors.map(([run, message]) => [message, run] as const))('%s', (message, run) => {
    expect(thrownBy(run)).toBe(message);
  });
});

describe('the environment never throws', () => {
  it('warns once about a malformed CHATTRAIL_SAMPLE_RATE and records every thread', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const value of ['abc', '1.5']) {
      for (let i = 0; i < 2; i++) {
        const trail = createChatTrail({ destinations: [sink], env: { CHATTRAIL_SAMPLE_RATE: value } });
        trail.record(new ConversationScript(`env-${value}-${i}`).turn());
        expect(trail.stats()).toMatchObject({ recorded: 1, sampledOut: 0 });
      }
    }
    expect(warn.mock.calls).toEqual([
      [
        '[chattrail] CHATTRAIL_SAMPLE_RATE must be a number from 0 to 1, got "abc"; every thread is recorded (sampleRate 1).',
      ],
      [
        '[chattrail] CHATTRAIL_SAMPLE_RATE must be a number from 0 to 1, got "1.5"; every thread is recorded (sampleRate 1).',
      ],
    ]);
  });

  it('reads a good CHATTRAIL_SAMPLE_RATE', () => {
    const trail = createChatTrail({ destinations: [sink], env: { CHATTRAIL_SAMPLE_RATE: '0.0' } });
    trail.record(new ConversationScript('env-zero').turn());
    expect(trail.stats().sampledOut).toBe(1);
  });
});

describe('maxRetries is deprecated: one retry layer inside a trail', () => {
  it('warns once when given (0, what now happens, says nothing) and is ignored', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    createChatTrail({ destinations: [sink], maxRetries: 0 });
    mielto({ apiKey: 'k', maxRetries: 0 });
    expect(warn).not.toHaveBeenCalled();
    createChatTrail({ destinations: [sink], maxRetries: 3 });
    createChatTrail({ destinations: [sink], maxRetries: 5 });
    mielto({ apiKey: 'k', maxRetries: 2 });
    melodi({ apiKey: 'k', projectId: 1, maxRetries: 2 });
    melodi({ apiKey: 'k', projectId: 1, maxRetries: 2 });
    expect(warn.mock.calls.map(([line]) => String(line).split(':')[0])).toEqual([
      '[chattrail] createChatTrail',
      '[chattrail] mielto()',
      '[chattrail] melodi()',
    ]);
    expect(warn.mock.calls[0]![0]).toBe(
      '[chattrail] createChatTrail: maxRetries is deprecated and ignored: inside a trail each request is sent once per attempt and the trail retries failed batches itself (see maxAttempts).',
    );
  });

  it('sends each request once per lane attempt, whatever maxRetries says', async () => {
    const server = await devServer();
    server.setFaults([
      { route: 'POST /api/v1/messages', status: 503, times: 2 },
      { route: 'PUT /api/external/threads', status: 503, times: 2 },
    ]);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const trail = createChatTrail({
      destinations: [
        mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl, maxRetries: 5 }),
        melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl, maxRetries: 5 }),
      ],
      maxRetries: 5,
      backoff: { initialMs: 10, maxMs: 20 },
    });
    trail.record(new ConversationScript('one-layer').turn());
    expect(await trail.flush({ timeoutMs: 20_000 })).toMatchObject({ ok: true, pendingTurns: 0 });
    // Three lane attempts, one request each: not (1 + maxRetries) requests per attempt.
    expect(requestsOf(server, 'POST /api/v1/messages').map((r) => r.status)).toEqual([503, 503, 201]);
    expect(requestsOf(server, 'PUT /api/external/threads').map((r) => r.status)).toEqual([503, 503, 200]);
    const { destinations } = trail.stats();
    expect(destinations.mielto).toMatchObject({ sent: 1, retried: 2 });
    expect(destinations.melodi).toMatchObject({ sent: 1, retried: 2 });
    await trail.shutdown();
  });
});
