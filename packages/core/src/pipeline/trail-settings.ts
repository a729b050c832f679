import { warnIgnoredRetries } from '../destinations/warn-ignored-retries';
import { ChatTrailError } from '../errors';
import { optionChecker } from '../options/option-checker';
import { warnOnce } from '../options/warn-once';
import type { ChatTrailDestination } from '../spec/chat-trail-destination';
import { CHAT_TRAIL_DEFAULTS, type ChatTrailOptions } from './chat-trail-options';
import type { LaneHost } from './lane-host';
import type { NormalizeTurnOptions } from './normalize-turn';
import { parseEnvFlag, readTrailEnv } from './read-trail-env';
import type { DeliveryMode } from './start-worker-delivery';

/** A trail's options, checked, with the environment's and the defaults applied. */
export interface TrailSettings {
  env: ChatTrailOptions['env'];
  debug: boolean;
  disabled: boolean;
  sampleRate: number;
  flushAt: number;
  flushIntervalMs: number;
  timeoutMs: number;
  exitFlushMs: number;
  handleSignals: boolean;
  maxAttempts: number;
  normalize: NormalizeTurnOptions;
  limits: Pick<LaneHost, 'maxQueueTurns' | 'maxQueueBytes' | 'maxBatchTurns' | 'minBatchIntervalMs'>;
  backoffInitialMs: number;
  backoffMaxMs: number;
  destinations: ChatTrailDestination[] | undefined;
  delivery: DeliveryMode | undefined;
}

/** Throws {@link ChatTrailError} for a bad option, naming it and its value; never for the environment. */
export function readTrailSettings(options: ChatTrailOptions): TrailSettings {
  if (options === null || typeof options !== 'object') check.fail('options', 'an object', options);
  const env = options.env;
  if (env !== undefined && (env === null || typeof env !== 'object')) check.fail('env', 'an object', env);
  const read = (name: string) => readTrailEnv(env, name);
  const debug = check.boolean('debug', options.debug, parseEnvFlag(read('CHATTRAIL_DEBUG')) ?? false);
  const disabled = check.boolean(
    'disabled',
    options.disabled,
    parseEnvFlag(read('CHATTRAIL_DISABLED')) ?? false,
  );
  const sampleRate = check.rate(
    'sampleRate',
    options.sampleRate,
    envSampleRate(read('CHATTRAIL_SAMPLE_RATE')),
  );
  const flushAt = check.positiveInteger('flushAt', options.flushAt, CHAT_TRAIL_DEFAULTS.flushAt);
  const flushIntervalMs = check.positiveNumber(
    'flushIntervalMs',
    options.flushIntervalMs,
    CHAT_TRAIL_DEFAULTS.flushIntervalMs,
  );
  const timeoutMs = check.positiveNumber('timeoutMs', options.timeoutMs, CHAT_TRAIL_DEFAULTS.timeoutMs);
  const exitFlushMs = check.nonNegativeNumber(
    'exitFlushMs',
    options.exitFlushMs,
    CHAT_TRAIL_DEFAULTS.exitFlushMs,
  );
  const handleSignals = check.boolean('handleSignals', options.handleSignals, false);
  warnIgnoredRetries('createChatTrail', options.maxRetries);
  const maxAttempts = check.positiveInteger(
    'maxAttempts',
    options.maxAttempts,
    CHAT_TRAIL_DEFAULTS.maxAttempts,
  );
  const normalize: NormalizeTurnOptions = {
    maxMessageBytes: check.positiveInteger(
      'maxMessageBytes',
      options.maxMessageBytes,
      CHAT_TRAIL_DEFAULTS.maxMessageBytes,
    ),
    captureContent: check.boolean('captureContent', options.captureContent, true),
    turnMessages: check.oneOf('turnMessages', options.turnMessages, ['history', 'new'], 'history'),
    maxMessagesPerTurn: check.positiveInteger(
      'maxMessagesPerTurn',
      options.maxMessagesPerTurn,
      CHAT_TRAIL_DEFAULTS.maxMessagesPerTurn,
    ),
  };
  check.fn('redact', options.redact);
  check.fn('onError', options.onError);
  check.fn('onDrop', options.onDrop);
  check.fn('waitUntil', options.waitUntil);
  check.fn('fetch', options.fetch);
  const store = options.store;
  if (store !== undefined && (typeof store?.sync !== 'function' || typeof store.lock !== 'function')) {
    check.fail('store', 'a ChatTrailStore (sync, setValue, remove, lock, unlock)', store);
  }
  check.fn('transport', options.transport);
  if (options.fetch !== undefined && options.transport !== undefined) {
    throw new ChatTrailError('createChatTrail(): pass fetch or transport, not both');
  }
  const limits = queueLimits(options);
  const backoff = options.backoff;
  if (backoff !== undefined && (backoff === null || typeof backoff !== 'object')) {
    check.fail('backoff', 'an object', backoff);
  }
  const backoffInitialMs = check.positiveNumber(
    'backoff.initialMs',
    backoff?.initialMs,
    CHAT_TRAIL_DEFAULTS.backoffInitialMs,
  );
  const backoffMaxMs = check.positiveNumber(
    'backoff.maxMs',
    backoff?.maxMs,
    CHAT_TRAIL_DEFAULTS.backoffMaxMs,
  );
  const given = options.destinations;
  if (given !== undefined && !Array.isArray(given)) check.fail('destinations', 'an array', given);
  given?.forEach((destination, i) => {
    if (!isDestination(destination)) {
      check.fail(`destinations[${i}]`, 'a destination (an object with a name and send())', destination);
    }
  });
  return {
    env,
    debug,
    disabled,
    sampleRate,
    flushAt,
    flushIntervalMs,
    timeoutMs,
    exitFlushMs,
    handleSignals,
    maxAttempts,
    normalize,
    limits,
    backoffInitialMs,
    backoffMaxMs,
    destinations: given,
    delivery: deliveryMode(options.delivery, read('CHATTRAIL_DELIVERY')),
  };
}

/** `delivery`, else `CHATTRAIL_DELIVERY` (a bad value warns once and is ignored), else the default. */
function deliveryMode(given: unknown, env: string | undefined): DeliveryMode | undefined {
  if (given !== undefined) return check.oneOf('delivery', given, ['worker', 'inline'], 'inline');
  if (env === undefined || env === 'worker' || env === 'inline') return env;
  warnOnce(
    `env:CHATTRAIL_DELIVERY:${env}`,
    `CHATTRAIL_DELIVERY must be "worker" or "inline", got ${JSON.stringify(env)}; ignored.`,
  );
  return undefined;
}

function isDestination(value: unknown): value is ChatTrailDestination {
  const destination = value as Partial<ChatTrailDestination> | null | undefined;
  return typeof destination?.send === 'function' && typeof destination.name === 'string';
}

const check = optionChecker('createChatTrail');

/**
 * `CHATTRAIL_SAMPLE_RATE`, else 1. Unlike an option, a bad value does not throw: a variable set wrong in
 * one environment must not crash the app (the same goes for the destinations' variables). It warns once
 * and the default applies.
 */
function envSampleRate(value: string | undefined): number {
  if (value === undefined) return CHAT_TRAIL_DEFAULTS.sampleRate;
  const rate = /^\d*\.?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (rate >= 0 && rate <= 1) return rate;
  warnOnce(
    `env:CHATTRAIL_SAMPLE_RATE:${value}`,
    `CHATTRAIL_SAMPLE_RATE must be a number from 0 to 1, got ${JSON.stringify(value)}; every thread is recorded (sampleRate 1).`,
  );
  return CHAT_TRAIL_DEFAULTS.sampleRate;
}

/** The queue's bounds. A batch larger than half the queue would leave no room to queue behind it while it hangs. */
function queueLimits(
  options: ChatTrailOptions,
): Pick<LaneHost, 'maxQueueTurns' | 'maxQueueBytes' | 'maxBatchTurns' | 'minBatchIntervalMs'> {
  const maxQueueTurns = check.positiveInteger(
    'maxQueueTurns',
    options.maxQueueTurns,
    CHAT_TRAIL_DEFAULTS.maxQueueTurns,
  );
  const half = Math.ceil(maxQueueTurns / 2);
  const maxBatchTurns = check.positiveInteger(
    'maxBatchTurns',
    options.maxBatchTurns,
    Math.min(CHAT_TRAIL_DEFAULTS.maxBatchTurns, half),
  );
  if (maxBatchTurns > half) {
    check.fail('maxBatchTurns', `at most half of maxQueueTurns (${half})`, maxBatchTurns);
  }
  return {
    maxQueueTurns,
    maxQueueBytes: check.positiveNumber(
      'maxQueueBytes',
      options.maxQueueBytes,
      CHAT_TRAIL_DEFAULTS.maxQueueBytes,
    ),
    maxBatchTurns,
    minBatchIntervalMs: check.nonNegativeNumber(
      'minBatchIntervalMs',
      options.minBatchIntervalMs,
      CHAT_TRAIL_DEFAULTS.minBatchIntervalMs,
    ),
  };
}
