import { ChatTrailError } from '../errors';

/** The options policy: left out gets the default; a bad value throws naming it, never clamped silently. */
export function optionChecker(where: string) {
  const fail = (name: string, must: string, value: unknown): never => {
    throw new ChatTrailError(`${where}: ${name} must be ${must}, got ${describeValue(value)}`);
  };
  const number =
    (must: string, ok: (n: number) => boolean) =>
    (name: string, value: unknown, fallback: number): number => {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) fail(name, must, value);
      return value as number;
    };
  return {
    positiveInteger: number('a positive integer', (n) => Number.isInteger(n) && n >= 1),
    nonNegativeInteger: number('a non-negative integer', (n) => Number.isInteger(n) && n >= 0),
    positiveNumber: number('a positive number', (n) => n > 0),
    nonNegativeNumber: number('a non-negative number', (n) => n >= 0),
    rate: number('a number from 0 to 1', (n) => n >= 0 && n <= 1),
    boolean(name: string, value: unknown, fallback: boolean): boolean {
      if (value === undefined) return fallback;
      if (typeof value !== 'boolean') fail(name, 'true or false', value);
      return value as boolean;
    },
    string(name: string, value: unknown): string | undefined {
      if (value !== undefined && (typeof value !== 'string' || value === '')) {
        fail(name, 'a non-empty string', value);
      }
      return value as string | undefined;
    },
    oneOf<const T extends string>(
      name: string,
      value: unknown,
      allowed: readonly T[],
      fallback: NoInfer<T>,
    ): T {
      if (value === undefined) return fallback;
      if (!allowed.includes(value as T))
        fail(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
      return value as T;
    },
    fn<T>(name: string, value: T | undefined): T | undefined {
      if (value !== undefined && typeof value !== 'function') fail(name, 'a function', value);
      return value;
    },
    fail,
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
