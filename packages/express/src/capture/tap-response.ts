import type { ServerResponse } from 'node:http';

/** What the response tap reports, synchronously, after each call it observed. */
export interface ResponseObserver {
  /** `res.writeHead(status, [message], [headers])` was called with these arguments. */
  writeHead(args: unknown[]): void;
  /** A piece of the body as the app wrote it (`string` + encoding, `Buffer` or `Uint8Array`). */
  chunk(chunk: unknown, encoding: string | undefined): void;
  /** The body is about to be serialised from this value by Express's `res.json`. */
  json(value: unknown): void;
  /** An observer call threw: report it, never let it reach the app. */
  fail(error: unknown): void;
}

type Method = (this: ServerResponse, ...args: unknown[]) => unknown;

/**
 * Wraps `res.write`, `res.end`, `res.writeHead` and (under Express) `res.json` of one response, as own
 * properties of that object, so nothing is patched globally. Each wrapper calls the original first and
 * returns exactly what it returned (the `write()` boolean is the backpressure signal), and only then tells
 * the observer: no byte waits for us, and an error of ours is handed to `observer.fail`, never thrown.
 *
 * A nested call (an `end()` implemented with `this.write()` by a layer below us) is not observed twice:
 * the outermost call stands for the bytes.
 */
export function tapResponse(res: ServerResponse, observer: ResponseObserver): void {
  const target = res as unknown as Record<string, Method>;
  const write = target.write;
  const end = target.end;
  const writeHead = target.writeHead;
  let depth = 0;

  target.write = function tappedWrite(this: ServerResponse, ...args: unknown[]) {
    if (depth > 0) return Reflect.apply(write, this, args);
    depth++;
    let result: unknown;
    try {
      result = Reflect.apply(write, this, args);
    } finally {
      depth--;
    }
    try {
      observer.chunk(args[0], typeof args[1] === 'string' ? args[1] : undefined);
    } catch (error) {
      observer.fail(error);
    }
    return result;
  };

  target.end = function tappedEnd(this: ServerResponse, ...args: unknown[]) {
    if (depth > 0) return Reflect.apply(end, this, args);
    depth++;
    let result: unknown;
    try {
      result = Reflect.apply(end, this, args);
    } finally {
      depth--;
    }
    try {
      // end(cb) and end() carry no body.
      const chunk = typeof args[0] === 'function' ? undefined : args[0];
      if (chunk !== undefined && chunk !== null) {
        observer.chunk(chunk, typeof args[1] === 'string' ? args[1] : undefined);
      }
    } catch (error) {
      observer.fail(error);
    }
    return result;
  };

  target.writeHead = function tappedWriteHead(this: ServerResponse, ...args: unknown[]) {
    try {
      observer.writeHead(args);
    } catch (error) {
      observer.fail(error);
    }
    return Reflect.apply(writeHead, this, args);
  };

  const json = target.json;
  if (typeof json === 'function') {
    target.json = function tappedJson(this: ServerResponse, ...args: unknown[]) {
      try {
        // Express 4 still accepts the deprecated res.json(status, body).
        observer.json(args.length > 1 && typeof args[0] === 'number' ? args[1] : args[0]);
      } catch (error) {
        observer.fail(error);
      }
      return Reflect.apply(json, this, args);
    };
  }
}
