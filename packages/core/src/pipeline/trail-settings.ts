import { readEnv } from '../env/read-env';
import { ChatTrailError } from '../errors';
import { optionChecker } from '../options/option-checker';
import { warnOnce } from '../options/warn-once';
import type { ChatTrailDestination } from '../spec/chat-trail-destination';
import { type ChatTrailOptions, CHAT_TRAIL_DEFAULTS as D } from './chat-trail-options';
import type { LaneSettings } from './lane-host';
import type { NormalizeTurnOptions } from './normalize-turn';
import type { DeliveryMode } from './start-worker-delivery';

/** A trail's options, checked, with the environment's and the defaults applied. */
export type TrailSettings = ReturnType<typeof readTrailSettings>;

const check = optionChecker('createChatTrail');
const TRUE_WORDS = new Set<string | undefined>(['1', 'true', 'yes', 'on']);

/** Throws {@link ChatTrailError} for a bad option, naming it and its value; never for the environment. */
export function readTrailSettings(o: ChatTrailOptions) {
  if (o === null || typeof o !== 'object') check.fail('options', 'an object', o);
  const { env, backoff, destinations } = o;
  check.object('env', env, undefined);
  const read = (name: string) => readEnv(name, env);
  const flag = (name: string) => TRUE_WORDS.has(read(name)?.toLowerCase());
  const num = (
    rule: 'positiveInteger' | 'positiveNumber' | 'nonNegativeNumber',
    name: keyof typeof D & keyof ChatTrailOptions,
  ) => check[rule](name, o[name], D[name]);
  // Checked in this order, so the first bad option named is always the same one.
  const head = {
    env,
    debug: check.boolean('debug', o.debug, flag('CHATTRAIL_DEBUG')),
    disabled: check.boolean('disabled', o.disabled, flag('CHATTRAIL_DISABLED')),
    sampleRate: check.rate('sampleRate', o.sampleRate, envSampleRate(read('CHATTRAIL_SAMPLE_RATE'))),
    flushAt: num('positiveInteger', 'flushAt'),
    flushIntervalMs: num('positiveNumber', 'flushIntervalMs'),
    timeoutMs: num('positiveNumber', 'timeoutMs'),
    exitFlushMs: num('nonNegativeNumber', 'exitFlushMs'),
    handleSignals: check.boolean('handleSignals', o.handleSignals, false),
  };
  check.ignoredRetries(o.maxRetries);
  const maxAttempts = num('positiveInteger', 'maxAttempts');
  const normalize: NormalizeTurnOptions = {
    maxMessageBytes: num('positiveInteger', 'maxMessageBytes'),
    captureContent: check.boolean('captureContent', o.captureContent, true),
    turnMessages: check.oneOf('turnMessages', o.turnMessages, ['history', 'new'], 'history'),
    maxMessagesPerTurn: num('positiveInteger', 'maxMessagesPerTurn'),
  };
  for (const name of ['redact', 'onError', 'onDrop', 'waitUntil', 'fetch'] as const) check.fn(name, o[name]);
  if (o.store !== undefined && (typeof o.store?.sync !== 'function' || typeof o.store.lock !== 'function')) {
    check.fail('store', 'a ChatTrailStore (sync, setValue, remove, lock, unlock)', o.store);
  }
  check.fn('transport', o.transport);
  if (o.fetch !== undefined && o.transport !== undefined) {
    throw new ChatTrailError('createChatTrail(): pass fetch or transport, not both');
  }
  const maxQueueTurns = num('positiveInteger', 'maxQueueTurns');
  // A batch over half the queue would leave no room to queue behind it while it hangs.
  const half = Math.ceil(maxQueueTurns / 2);
  const batch = check.positiveInteger('maxBatchTurns', o.maxBatchTurns, Math.min(D.maxBatchTurns, half));
  if (batch > half) check.fail('maxBatchTurns', `at most half of maxQueueTurns (${half})`, batch);
  const maxQueueBytes = num('positiveNumber', 'maxQueueBytes');
  const minBatchIntervalMs = num('nonNegativeNumber', 'minBatchIntervalMs');
  check.object('backoff', backoff, undefined);
  const lane: LaneSettings = {
    maxQueueTurns,
    maxQueueBytes,
    maxBatchTurns: batch,
    minBatchIntervalMs,
    flushAt: head.flushAt,
    timeoutMs: head.timeoutMs,
    maxAttempts,
    backoffInitialMs: check.positiveNumber('backoff.initialMs', backoff?.initialMs, D.backoffInitialMs),
    backoffMaxMs: check.positiveNumber('backoff.maxMs', backoff?.maxMs, D.backoffMaxMs),
  };
  if (destinations !== undefined && !Array.isArray(destinations)) {
    check.fail('destinations', 'an array', destinations);
  }
  destinations?.forEach((destination: Partial<ChatTrailDestination> | null | undefined, i) => {
    if (typeof destination?.send !== 'function' || typeof destination.name !== 'string') {
      check.fail(`destinations[${i}]`, 'a destination (an object with a name and send())', destination);
    }
  });
  return {
    ...head,
    normalize,
    lane,
    destinations,
    delivery: deliveryMode(o.delivery, read('CHATTRAIL_DELIVERY')),
  };
}

/** `delivery`, else `CHATTRAIL_DELIVERY` (a bad value warns once and is ignored), else the default. */
function deliveryMode(given: unknown, env: string | undefined): DeliveryMode | undefined {
  if (given !== undefined) return check.oneOf('delivery', given, ['worker', 'inline'], 'inline');
  if (env === undefined || env === 'worker' || env === 'inline') return env;
  return badEnv('CHATTRAIL_DELIVERY', env, '"worker" or "inline"', 'ignored');
}

/** `CHATTRAIL_SAMPLE_RATE`, else 1. */
function envSampleRate(value: string | undefined): number {
  if (value === undefined) return D.sampleRate;
  if (/^\d*\.?\d+$/.test(value) && Number(value) <= 1) return Number(value);
  badEnv('CHATTRAIL_SAMPLE_RATE', value, 'a number from 0 to 1', 'every thread is recorded (sampleRate 1)');
  return D.sampleRate;
}

/** Warns once about a bad variable rather than throw, so the app still starts. */
function badEnv(name: string, value: string, must: string, instead: string): undefined {
  warnOnce(`env:${name}:${value}`, `${name} must be ${must}, got ${JSON.stringify(value)}; ${instead}.`);
}
