import { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';

type Push = (this: IncomingMessage, ...args: unknown[]) => boolean;

/**
 * Reads a request body alongside the app, for apps without a body parser: it wraps `req.push`, the
 * method Node's HTTP parser hands each received chunk to, so it sees the bytes as they arrive without
 * reading the stream. The app (or nobody) still consumes the body exactly as before: no `data` listener
 * is added, flowing mode is untouched, and `push()`'s return value (the parser's backpressure) is the
 * original one. Copies are kept up to `maxBytes`; past that the body is given up on.
 *
 * It is only installed when nothing has been received yet (a body already buffered or read before the
 * middleware ran cannot be seen whole), for JSON bodies without a content-encoding.
 */
export class RequestBodyTap {
  private chunks: Buffer[] = [];
  private size = 0;
  private overflow = false;
  private ended = false;

  private constructor(
    private readonly req: IncomingMessage,
    private readonly maxBytes: number,
  ) {}

  static install(req: IncomingMessage, maxBytes: number): RequestBodyTap | undefined {
    if (!wantsTap(req)) return undefined;
    const tap = new RequestBodyTap(req, maxBytes);
    const target = req as unknown as { push: Push };
    const push = target.push;
    target.push = function tappedPush(this: IncomingMessage, ...args: unknown[]) {
      const result = Reflect.apply(push, this, args);
      tap.observe(args[0], args[1]);
      return result;
    };
    return tap;
  }

  /** The whole body, once it has arrived and fitted in `maxBytes`; otherwise `undefined`. */
  body(): Buffer | undefined {
    if (this.overflow || !(this.ended || this.req.complete)) return undefined;
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }

  /** Whether the body may still arrive (it is not complete yet and has not overflowed). */
  pending(): boolean {
    return !this.overflow && !(this.ended || this.req.complete);
  }

  private observe(chunk: unknown, encoding: unknown): void {
    if (chunk === null) {
      this.ended = true;
      return;
    }
    if (this.overflow) return;
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding)
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk)
          : undefined;
    if (bytes === undefined) return;
    if (this.size + bytes.length > this.maxBytes) {
      this.overflow = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(bytes);
    this.size += bytes.length;
  }
}

function wantsTap(req: IncomingMessage): boolean {
  if ((req as { body?: unknown }).body !== undefined) return false;
  if (req.complete || req.readableEnded || req.readableLength > 0 || req.readableDidRead) return false;
  const headers = req.headers;
  if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) return false;
  if (headers['content-length'] === '0') return false;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') return false;
  return isJsonContentType(headers['content-type']);
}

export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const type = value.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}
