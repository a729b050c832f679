import { ChatTrailError } from '../errors';
import { warnOnce } from './warn-once';

/** The options policy: left out gets the default; a bad value throws naming it, never clamped silently. */
export function optionChecker(where: string) {
  const fail = (name: string, must: string, value: unknown): never => {
    throw new ChatTrailError(`${where}: ${name} must be ${must}, got ${describeValue(value)}`);
  };
  const rule =
    <T>(must: string, ok: (value: unknown) => boolean) =>
    (name: string, value: unknown, fallback: T): T => {
      if (value === undefined) return fallback;
      if (!ok(value)) fail(name, must, value);
      return value as T;
    };
  const number = (must: string, ok: (n: number) => boolean) =>
    rule<number>(must, (n) => typeof n === 'number' && Number.isFinite(n) && ok(n));
  const nonEmpty = rule<string | undefined>('a non-empty string', (v) => typeof v === 'string' && v !== '');
  const isFunction = rule<unknown>('a function', (v) => typeof v === 'function');
  return {
    positiveInteger: number('a positive integer', (n) => Number.isInteger(n) && n >= 1),
    nonNegativeInteger: number('a non-negative integer', (n) => Number.isInteger(n) && n >= 0),
    positiveNumber: number('a positive number', (n) => n > 0),
    nonNegativeNumber: number('a non-negative number', (n) => n >= 0),
    rate: number('a number from 0 to 1', (n) => n >= 0 && n <= 1),
    boolean: rule<boolean>('true or false', (value) => typeof value === 'boolean'),
    object: rule<object | undefined>('an object', (value) => value !== null && typeof value === 'object'),
    string: (name: string, value: unknown) => nonEmpty(name, value, undefined),
    oneOf<const T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: NoInfer<T>) {
      const must = `one of ${allowed.map((a) => `'${a}'`).join(', ')}`;
      return rule<T>(must, (v) => allowed.includes(v as T))(name, value, fallback);
    },
    fn: <T>(name: string, value: T | undefined) => isFunction(name, value, undefined) as T | undefined,
    fail,
    /** The deprecated `maxRetries` is ignored (the trail retries batches): any value but 0 warns once. */
    ignoredRetries(maxRetries: unknown): void {
      if (maxRetries === undefined || maxRetries === 0) return;
      warnOnce(
        `maxRetries:${where}`,
        `${where}: maxRetries is deprecated and ignored: inside a trail each request is sent once per attempt and the trail retries failed batches itself (see maxAttempts).`,
      );
    },
  };
}

/** A value for an error message; never an object's contents, which may hold a secret. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
