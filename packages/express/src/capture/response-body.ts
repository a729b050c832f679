import { Buffer } from 'node:buffer';
import type { ServerResponse } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { StreamAssembler } from '../formats/captured-answer';
import { SseParser } from '../sse/sse-parser';
import type { ResponseObserver } from './tap-response';

/** How to read a body, decided when its first byte is written (headers are final by then). */
export type BodyPlan = { mode: 'skip' } | { mode: 'buffer' } | { mode: 'sse'; assembler: StreamAssembler };

/** What was read once the response is over. */
export interface ReadBody {
  /** `res.json(value)` was called: the value itself, no parsing needed. */
  json?: { value: unknown };
  /** Buffered bytes (plan `buffer`), decoded from any content-encoding. */
  bytes?: Buffer;
  /** The stream's assembler (plan `sse`), fed with every complete event. */
  assembler?: StreamAssembler;
  /** More than `maxBytes` were written: `bytes` is cut / the answer is partial. */
  truncated: boolean;
  /** A content-encoding we could not decode, or a corrupt compressed body. */
  undecodable: boolean;
}

type Decompressor = ReturnType<typeof createGunzip>;

/**
 * Reads one response body as the app writes it, never holding it back: buffered up to `maxBytes` for
 * JSON or text, or parsed as server-sent events on the fly (only the current event is kept). Bodies that
 * a compression layer below us encoded (`content-encoding: gzip | deflate | br`) are decoded by a zlib
 * stream fed with copies of the chunks; that decoding is asynchronous, hence `finish()` returns a promise.
 */
export class ResponseBody implements ResponseObserver {
  private plan: BodyPlan | undefined;
  private headArgs: unknown[] | undefined;
  /** The content-encoding of the bytes this layer sees; `undefined` until `writeHead` ran. */
  private encodingHere: string | undefined;
  private jsonValue: { value: unknown } | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;
  private undecodable = false;
  private decompressor: Decompressor | undefined;
  private decompressorDone: Promise<void> | undefined;
  private decoder: TextDecoder | undefined;
  private decoderPending = false;
  private parser: SseParser | undefined;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxBytes: number,
    private readonly decide: () => BodyPlan,
    private readonly onError: (error: unknown) => void,
    /** The head is being written: the response has begun, whatever its body turns out to be. */
    private readonly onHead: () => void = () => {},
  ) {}

  /** A response header, whether set with `setHeader` or passed to `writeHead`. */
  header(name: string): string | undefined {
    const value = this.res.getHeader(name) ?? headArgsHeader(this.headArgs, name);
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.join(', ') : String(value);
  }

  writeHead(args: unknown[]): void {
    if (this.headArgs !== undefined) return;
    this.headArgs = args;
    this.onHead();
    // Called on entering our writeHead wrapper, before the layers below it run. A compression layer
    // mounted after us wraps us and has set its content-encoding by now: the bytes we will see are
    // compressed. One mounted before us sits below and sets it only later: we see the bytes as the app
    // wrote them. So the encoding *here* is the encoding of what passes through our write().
    const encoding = this.res.getHeader('content-encoding') ?? headArgsHeader(args, 'content-encoding');
    this.encodingHere = encoding === undefined ? '' : String(encoding);
  }

  json(value: unknown): void {
    this.jsonValue = { value };
  }

  fail(error: unknown): void {
    this.onError(error);
  }

  chunk(chunk: unknown, encoding: string | undefined): void {
    // Writes after the turn was finalised (a route still writing to a disconnected client) are ignored.
    if (this.closed) return;
    if (this.plan === undefined) this.start();
    const plan = this.plan!;
    if (plan.mode === 'skip' || this.jsonValue !== undefined) return;
    if (this.decompressor !== undefined) {
      if (!this.decompressor.writableEnded) this.decompressor.write(copyBytes(chunk, encoding));
      return;
    }
    if (this.undecodable) return;
    if (plan.mode === 'sse') this.feedText(chunk, encoding);
    else this.keep(toBuffer(chunk, encoding), true);
  }

  /** Ends reading and hands over what was read. */
  finish(): ReadBody | Promise<ReadBody> {
    if (this.plan === undefined && this.jsonValue === undefined) this.start();
    this.closed = true;
    if (this.decompressor !== undefined && this.decompressorDone !== undefined) {
      this.decompressor.end();
      return this.decompressorDone.then(() => this.result());
    }
    return this.result();
  }

  private start(): void {
    try {
      this.plan = this.decide();
    } catch (error) {
      // Capture gives up on this response; the response itself goes on.
      this.plan = { mode: 'skip' };
      this.onError(error);
    }
    if (this.plan.mode === 'skip') return;
    const encoding = (this.encodingHere ?? this.header('content-encoding'))?.trim().toLowerCase();
    if (encoding === undefined || encoding === '' || encoding === 'identity') return;
    const decompressor =
      encoding === 'gzip' || encoding === 'x-gzip'
        ? createGunzip()
        : encoding === 'deflate'
          ? createInflate()
          : encoding === 'br'
            ? createBrotliDecompress()
            : undefined;
    if (decompressor === undefined) {
      this.undecodable = true;
      return;
    }
    this.decompressor = decompressor;
    this.decompressorDone = new Promise<void>((resolve) => {
      decompressor.on('data', (data: Buffer) => {
        try {
          if (this.plan?.mode === 'sse') this.feedText(data, undefined);
          else this.keep(data, false);
        } catch (error) {
          this.onError(error);
        }
      });
      decompressor.once('end', resolve);
      decompressor.once('error', () => {
        this.undecodable = true;
        resolve();
      });
    });
  }

  /** Buffers bytes for a JSON/text body, up to `maxBytes`. */
  private keep(bytes: Buffer, copy: boolean): void {
    if (this.truncated) return;
    const room = this.maxBytes - this.size;
    if (bytes.length > room) {
      this.truncated = true;
      if (room <= 0) return;
      bytes = bytes.subarray(0, room);
    }
    // The app may reuse its buffer once write() returns: keep a copy, never its memory.
    this.chunks.push(copy ? Buffer.from(bytes) : bytes);
    this.size += bytes.length;
  }

  /** Feeds the SSE parser; strings are used as they are unless a multi-byte character is pending. */
  private feedText(chunk: unknown, encoding: string | undefined): void {
    let text: string;
    if (typeof chunk === 'string' && isUtf8(encoding) && !this.decoderPending) text = chunk;
    else {
      const bytes = toBuffer(chunk, encoding);
      this.decoder ??= new TextDecoder('utf-8');
      text = this.decoder.decode(bytes, { stream: true });
      this.decoderPending = endsMidCharacter(bytes);
    }
    this.parser ??= this.createParser();
    this.parser.feed(text);
  }

  private createParser(): SseParser {
    const plan = this.plan as Extract<BodyPlan, { mode: 'sse' }>;
    return new SseParser((event) => {
      try {
        plan.assembler.event(event);
      } catch (error) {
        this.onError(error);
      }
    }, this.maxBytes);
  }

  private result(): ReadBody {
    const read: ReadBody = { truncated: this.truncated, undecodable: this.undecodable };
    if (this.jsonValue !== undefined) {
      read.json = this.jsonValue;
      return read;
    }
    const plan = this.plan;
    if (plan?.mode === 'buffer')
      read.bytes = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    else if (plan?.mode === 'sse') {
      if (this.decoder !== undefined && this.parser !== undefined) this.parser.feed(this.decoder.decode());
      this.parser?.end();
      if (this.parser !== undefined && this.parser.droppedEvents > 0) read.truncated = true;
      read.assembler = plan.assembler;
    }
    this.chunks = [];
    return read;
  }
}

function isUtf8(encoding: string | undefined): boolean {
  return encoding === undefined || encoding === 'utf8' || encoding === 'utf-8' || encoding === 'UTF-8';
}

function toBuffer(chunk: unknown, encoding: string | undefined): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, (encoding ?? 'utf8') as BufferEncoding);
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.alloc(0);
}

/** A copy the zlib stream can read later, whatever the app does with its buffer meanwhile. */
function copyBytes(chunk: unknown, encoding: string | undefined): Buffer {
  return typeof chunk === 'string' ? toBuffer(chunk, encoding) : Buffer.from(toBuffer(chunk, encoding));
}

/** Whether the bytes end inside a UTF-8 sequence (so the decoder is holding its first bytes). */
function endsMidCharacter(bytes: Uint8Array): boolean {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const byte = bytes[n - back]!;
    if (byte < 0x80) return false;
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return back < length;
    }
  }
  return false;
}

/** A header passed to `writeHead` as an object, a flat `[k, v, k, v]` array or `[[k, v]]` pairs. */
function headArgsHeader(args: unknown[] | undefined, name: string): unknown {
  if (args === undefined) return undefined;
  const headers = typeof args[1] === 'string' ? args[2] : args[1];
  if (headers === null || typeof headers !== 'object') return undefined;
  const wanted = name.toLowerCase();
  if (Array.isArray(headers)) {
    if (Array.isArray(headers[0])) {
      for (const pair of headers as unknown[][]) if (String(pair[0]).toLowerCase() === wanted) return pair[1];
      return undefined;
    }
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === wanted) return headers[i + 1];
    }
    return undefined;
  }
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === wanted) return (headers as Record<string, unknown>)[key];
  }
  return undefined;
}
