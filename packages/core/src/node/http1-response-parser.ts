import { Buffer } from 'node:buffer';

/** A whole HTTP/1.x response as {@link Http1ResponseParser} read it. */
export interface Http1Response {
  status: number;
  statusText: string;
  /** Names and values in turn, as sent (Node's `rawHeaders`). */
  rawHeaders: string[];
  /** Undefined when the body was not kept (see `keepBody`) or there was none. */
  body: Buffer | undefined;
  /** Whether the connection may carry another request: the server did not ask to close it. */
  keepAlive: boolean;
}

/** Settings of {@link Http1ResponseParser}. */
export interface Http1ResponseParserOptions {
  /** The request was a HEAD: whatever the headers say, no body follows. */
  head?: boolean;
  /** Whether a response with this status keeps its body; otherwise the body is read and thrown away. */
  keepBody: (status: number) => boolean;
  /** Bytes of status line and headers allowed. Default 64 KiB. */
  maxHeaderBytes?: number;
}

enum State {
  Head,
  FixedBody,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: ([^\r\n\0]*))?$/;
// RFC 9110 token characters; values may not carry CR, LF or NUL.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;
// Chunk sizes beyond this are refused: 2^53 bytes cannot be counted exactly, and nothing we send to comes close.
const MAX_CHUNK_HEX_DIGITS = 12;

/**
 * Reads one HTTP/1.x response from the bytes of a connection, in whatever pieces they arrive: status line,
 * headers, then a body delimited by `content-length`, chunked transfer coding (trailers read and ignored)
 * or the end of the connection. Interim 1xx responses are skipped. Strict where being lenient would let a
 * malformed response be misread: conflicting lengths, a bad chunk size or a bad header throw. Bytes after a
 * complete response are noted (`trailingBytes`), not an error: the response stands, the connection does not.
 *
 * Pure (no I/O) so every framing can be tested byte by byte; `Http1Connection` feeds it a socket.
 */
export class Http1ResponseParser {
  readonly #options: Http1ResponseParserOptions;
  readonly #maxHeaderBytes: number;
  #state = State.Head;
  /** Bytes of an unfinished line or head, waiting for the rest. */
  #pending: Buffer | undefined;
  #remaining = 0;
  #keep = false;
  #chunks: Buffer[] = [];
  #response: Http1Response | undefined;
  #trailingBytes = false;

  constructor(options: Http1ResponseParserOptions) {
    this.#options = options;
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 64 * 1024;
  }

  /** Whether bytes came after the complete response: the connection cannot be trusted with another request. */
  get trailingBytes(): boolean {
    return this.#trailingBytes;
  }

  /** The response, once {@link push} or {@link end} returned true. */
  get response(): Http1Response | undefined {
    return this.#state === State.Done ? this.#response : undefined;
  }

  /**
   * Feeds the next bytes; true once the response is complete.
   * @throws {Error} on a malformed response.
   */
  push(data: Buffer): boolean {
    let offset = 0;
    while (offset < data.length) {
      switch (this.#state) {
        case State.Head:
          offset = this.#readLines(data, offset, HEAD_END, (head) => this.#onHead(head));
          break;
        case State.FixedBody:
        case State.ChunkData: {
          const take = Math.min(this.#remaining, data.length - offset);
          if (this.#keep) this.#chunks.push(data.subarray(offset, offset + take));
          this.#remaining -= take;
          offset += take;
          if (this.#remaining === 0)
            this.#state = this.#state === State.FixedBody ? this.#finish() : State.ChunkDataEnd;
          break;
        }
        case State.ChunkSize:
          offset = this.#readLines(data, offset, CRLF, (line) => this.#onChunkSize(line));
          break;
        case State.ChunkDataEnd:
          offset = this.#readLines(data, offset, CRLF, (line) => {
            if (line.length !== 0) throw malformed('chunk data longer than its size');
            this.#state = State.ChunkSize;
          });
          break;
        case State.Trailers:
          offset = this.#readLines(data, offset, CRLF, (line) => {
            if (line.length === 0) this.#state = this.#finish();
          });
          break;
        case State.UntilClose:
          if (this.#keep) this.#chunks.push(offset === 0 ? data : data.subarray(offset));
          offset = data.length;
          break;
        case State.Done:
          // The response is whole; what follows belongs to no request (a stray CRLF after a body, say).
          // The response stands, but the connection is out of step and must not carry another request.
          this.#trailingBytes = true;
          offset = data.length;
          break;
      }
    }
    return this.#state === State.Done;
  }

  /**
   * The connection ended; true when that completes the response (a body delimited by the end of the
   * connection), false when the response was cut short.
   */
  end(): boolean {
    if (this.#state === State.UntilClose) this.#state = this.#finish();
    return this.#state === State.Done;
  }

  /**
   * Consumes `data` from `offset` up to and including the next `delimiter`, handing what came before it
   * (with any pending bytes in front) to `onLine`; keeps an unfinished remainder pending. Returns the new offset.
   */
  #readLines(data: Buffer, offset: number, delimiter: Buffer, onLine: (line: Buffer) => void): number {
    let buffer = data;
    let start = offset;
    const pendingLength = this.#pending?.length ?? 0;
    if (pendingLength > 0) {
      // A delimiter may straddle the two pieces: search from just before where the new bytes begin.
      buffer = Buffer.concat([this.#pending!, data.subarray(offset)]);
      start = 0;
    }
    const searchFrom = Math.max(start, start + pendingLength - (delimiter.length - 1));
    const at = buffer.indexOf(delimiter, searchFrom);
    const limit = this.#state === State.Head || this.#state === State.Trailers ? this.#maxHeaderBytes : 1024;
    if (at === -1) {
      if (buffer.length - start > limit) throw malformed(`a line or head longer than ${limit} bytes`);
      // A server ending lines with a bare LF would never send the CRLF CRLF we wait for: refused at once
      // (as Node does) rather than waited on until the timeout.
      if (hasBareLineFeed(buffer, start)) throw malformed('a line ending in a bare LF');
      this.#pending = Buffer.from(buffer.subarray(start)); // a copy: the socket's buffer may be reused
      return data.length;
    }
    if (at - start > limit) throw malformed(`a line or head longer than ${limit} bytes`);
    this.#pending = undefined;
    onLine(buffer.subarray(start, at));
    // Back to an offset into `data`: the pending bytes came before it.
    return at + delimiter.length - (buffer === data ? 0 : pendingLength - offset);
  }

  #onHead(head: Buffer): void {
    const lines = head.toString('latin1').split('\r\n');
    const statusLine = STATUS_LINE.exec(lines[0]!);
    if (statusLine === null)
      throw malformed(`not an HTTP/1.x status line: ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    const http10 = statusLine[1] === '0';
    const status = Number(statusLine[2]);
    const rawHeaders: string[] = [];
    let contentLength: number | undefined;
    let chunked = false;
    let transferEncoding = false;
    let close = http10;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      // As strict as Node's parser: a head it would refuse (bare LF, folded lines, a space before the
      // colon, control characters) could be framed differently by us and by whoever wrote it.
      const colon = line.indexOf(':');
      const name = colon === -1 ? '' : line.slice(0, colon);
      if (!HEADER_NAME.test(name)) throw malformed(`header line ${JSON.stringify(line.slice(0, 80))}`);
      const value = trimWhitespace(line, colon + 1);
      if (HEADER_VALUE_FORBIDDEN.test(value)) throw malformed(`value of header ${name}`);
      rawHeaders.push(name, value);
      // Only the names that frame the body matter here; lower-casing every other name cost more than the rest.
      const nameLength = name.length;
      if (nameLength !== 10 && nameLength !== 14 && nameLength !== 17) continue;
      switch (name.toLowerCase()) {
        case 'content-length': {
          if (!/^\d+$/.test(value)) throw malformed(`content-length ${JSON.stringify(value)}`);
          const length = Number(value);
          if (contentLength !== undefined && contentLength !== length) throw malformed('two content-lengths');
          contentLength = length;
          break;
        }
        case 'transfer-encoding':
          // Chunked is the last coding when present; any other coding leaves the body delimited by close.
          transferEncoding = true;
          chunked = value.toLowerCase().split(',').pop()!.trim() === 'chunked';
          if (!chunked) close = true;
          break;
        case 'connection': {
          const tokens = value
            .toLowerCase()
            .split(',')
            .map((token: string) => token.trim());
          if (tokens.includes('close')) close = true;
          else if (http10 && tokens.includes('keep-alive')) close = false;
          break;
        }
      }
    }
    // Both framings at once is how responses are smuggled (RFC 9112 §6.3): refused, as Node does.
    if (transferEncoding && contentLength !== undefined)
      throw malformed('both transfer-encoding and content-length');
    if (status >= 100 && status <= 199) {
      if (status === 101) throw malformed('101 Switching Protocols, which nothing asked for');
      return; // interim (100 Continue, 103 Early Hints): the final response follows
    }
    this.#keep = this.#options.keepBody(status);
    this.#chunks = [];
    this.#response = {
      status,
      statusText: statusLine[3] ?? '',
      rawHeaders,
      body: undefined,
      keepAlive: !close,
    };
    if (this.#options.head || status === 204 || status === 304) {
      this.#keep = false; // no body at all, not an empty one
      this.#state = this.#finish();
    } else if (chunked) {
      this.#state = State.ChunkSize;
    } else if (contentLength !== undefined) {
      this.#remaining = contentLength;
      this.#state = contentLength === 0 ? this.#finish() : State.FixedBody;
    } else {
      this.#response.keepAlive = false;
      this.#state = State.UntilClose;
    }
  }

  #onChunkSize(line: Buffer): void {
    // Chunk extensions (after ';') are allowed and ignored.
    const text = line.toString('latin1');
    const semicolon = text.indexOf(';');
    const hex = trimWhitespace(semicolon === -1 ? text : text.slice(0, semicolon), 0);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.replace(/^0+/, '').length > MAX_CHUNK_HEX_DIGITS)
      throw malformed(`chunk size ${JSON.stringify(text.slice(0, 40))}`);
    const size = Number.parseInt(hex, 16);
    if (size === 0) {
      this.#state = State.Trailers;
    } else {
      this.#remaining = size;
      this.#state = State.ChunkData;
    }
  }

  #finish(): State.Done {
    const response = this.#response!;
    if (this.#keep) {
      response.body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    }
    this.#chunks = [];
    return State.Done;
  }
}

/** `text` from `start`, without the spaces and tabs around it (what Node trims from a header value). */
function trimWhitespace(text: string, start: number): string {
  let from = start;
  let to = text.length;
  while (from < to && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++;
  while (to > from && (text.charCodeAt(to - 1) === 32 || text.charCodeAt(to - 1) === 9)) to--;
  return text.slice(from, to);
}

function hasBareLineFeed(buffer: Buffer, start: number): boolean {
  for (let at = buffer.indexOf(10, start); at !== -1; at = buffer.indexOf(10, at + 1)) {
    if (at === start || buffer[at - 1] !== 13) return true;
  }
  return false;
}

function malformed(what: string): Error {
  return Object.assign(new Error(`malformed HTTP response: ${what}`), { code: 'HPE_INVALID_RESPONSE' });
}
