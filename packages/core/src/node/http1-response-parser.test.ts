import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  type Http1Response,
  Http1ResponseParser,
  type Http1ResponseParserOptions,
} from './http1-response-parser';

const keepAll = () => true;

/** Parses `wire` fed in pieces of `size` bytes; `ended`: the connection closes after the last piece. */
function parse(
  wire: string | Buffer,
  size: number,
  options: Partial<Http1ResponseParserOptions> = {},
  ended = false,
): Http1Response | undefined {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  const parser = new Http1ResponseParser({ keepBody: keepAll, ...options });
  let done = false;
  for (let offset = 0; offset < bytes.length; offset += size) {
    expect(done).toBe(false);
    done = parser.push(bytes.subarray(offset, offset + size));
  }
  if (!done && ended) done = parser.end();
  return done ? parser.response : undefined;
}

/** The same response parsed in every piece size from 1 byte to all at once: all must agree. */
function parseEverySplit(wire: string, options: Partial<Http1ResponseParserOptions> = {}, ended = false) {
  const whole = parse(wire, wire.length, options, ended);
  for (let size = 1; size < wire.length; size++) {
    expect(parse(wire, size, options, ended), `pieces of ${size} bytes`).toEqual(whole);
  }
  return whole;
}

const text = (response: Http1Response | undefined) => response?.body?.toString('utf8');

describe('Http1ResponseParser', () => {
  it('reads a content-length body, status text and headers as sent, whatever the pieces', () => {
    const response = parseEverySplit(
      'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Two:  a b \r\nContent-Length: 9\r\n\r\n{"ok":1}\n',
    );
    expect(response).toMatchObject({
      status: 201,
      statusText: 'Created',
      rawHeaders: ['Content-Type', 'application/json', 'X-Two', 'a b', 'Content-Length', '9'],
      keepAlive: true,
    });
    expect(text(response)).toBe('{"ok":1}\n');
  });

  it('reads a chunked body with extensions and trailers', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
    const response = parseEverySplit(wire);
    expect(text(response)).toBe('hello 0123456789');
    expect(response!.keepAlive).toBe(true);
  });

  it('keeps multi-byte UTF-8 intact across pieces', () => {
    const body = Buffer.from('{"text":"héllo – 你好 😀"}', 'utf8');
    const wire = Buffer.concat([
      Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`, 'latin1'),
      body,
    ]);
    for (let size = 1; size <= wire.length; size++) {
      expect(text(parse(wire, size))).toBe('{"text":"héllo – 你好 😀"}');
    }
  });

  it('reads a body delimited by the end of the connection, which is then not reusable', () => {
    const wire = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end';
    const response = parseEverySplit(wire, {}, true);
    expect(text(response)).toBe('until the end');
    expect(response!.keepAlive).toBe(false);
    // Not complete until the connection ends.
    expect(parse(wire, wire.length)).toBeUndefined();
  });

  it('knows when the connection can be reused', () => {
    const keepAlive = (head: string) => parse(`${head}\r\ncontent-length: 0\r\n\r\n`, 1000)!.keepAlive;
    expect(keepAlive('HTTP/1.1 200 OK')).toBe(true);
    expect(keepAlive('HTTP/1.1 200 OK\r\nConnection: close')).toBe(false);
    expect(keepAlive('HTTP/1.1 200 OK\r\nconnection: Keep-Alive, Close')).toBe(false);
    expect(keepAlive('HTTP/1.0 200 OK')).toBe(false);
    expect(keepAlive('HTTP/1.0 200 OK\r\nConnection: keep-alive')).toBe(true);
  });

  it('skips interim 1xx responses and reads none of a 204, 304 or HEAD body', () => {
    const response = parseEverySplit(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
    );
    expect([response!.status, text(response)]).toEqual([200, 'ok']);
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n', 100)).toMatchObject({ status: 204, body: undefined });
    expect(parse('HTTP/1.1 304 Not Modified\r\ncontent-length: 50\r\n\r\n', 100)).toMatchObject({
      status: 304,
      body: undefined,
    });
    expect(parse('HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n', 100, { head: true })).toMatchObject({
      status: 200,
      body: undefined,
    });
  });

  it('reads but does not keep a body nobody wants', () => {
    const wire = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    const response = parseEverySplit(wire, { keepBody: (status) => status !== 200 });
    expect(response).toMatchObject({ status: 200, body: undefined, keepAlive: true });
  });

  it('takes chunk sizes with leading zeros, and trims only spaces and tabs around values', () => {
    const response = parse(
      'HTTP/1.1 200 OK\r\nX-A: \t\u00a0v\u00a0 \r\ntransfer-encoding: chunked\r\n\r\n00000000000002\r\nok\r\n0\r\n\r\n',
      1000,
    );
    expect(text(response)).toBe('ok');
    expect(response!.rawHeaders.slice(0, 2)).toEqual(['X-A', '\u00a0v\u00a0']);
  });

  it.each([
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n', /status line/],
    ['a header without a name', 'HTTP/1.1 200 OK\r\n: x\r\n\r\n', /header line/],
    ['a bad header name', 'HTTP/1.1 200 OK\r\nx(a): 1\r\ncontent-length: 0\r\n\r\n', /header line/],
    ['a space before the colon', 'HTTP/1.1 200 OK\r\ncontent-length : 2\r\n\r\nok', /header line/],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nx-a: 1\r\n  2\r\ncontent-length: 0\r\n\r\n', /header line/],
    ['bare LF line ends', 'HTTP/1.1 200 OK\ncontent-length: 2\n\r\n\r\nok', /status line/],
    ['a bare LF inside the head', 'HTTP/1.1 200 OK\r\nx-a: 1\ncontent-length: 5\r\n\r\n', /value of header/],
    ['a NUL in a value', 'HTTP/1.1 200 OK\r\nx-a: a\0b\r\ncontent-length: 0\r\n\r\n', /value of header/],
    ['a lone CR in a value', 'HTTP/1.1 200 OK\r\nx-a: a\rb\r\ncontent-length: 0\r\n\r\n', /value of header/],
    [
      'both content-length and chunked',
      'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n',
      /both transfer-encoding and content-length/,
    ],
    ['a bad content-length', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n', /content-length/],
    [
      'two content-lengths',
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n',
      /two content-lengths/,
    ],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', /chunk size/],
    [
      'chunk data longer than its size',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\nabc\r\n',
      /longer than its size/,
    ],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', /101/],
  ])('refuses %s', (_what, wire, message) => {
    const parser = new Http1ResponseParser({ keepBody: keepAll });
    expect(() => parser.push(Buffer.from(wire, 'latin1'))).toThrow(message);
  });

  it('bounds the head it buffers', () => {
    const parser = new Http1ResponseParser({ keepBody: keepAll, maxHeaderBytes: 100 });
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\n', 'latin1'));
    expect(() => parser.push(Buffer.from(`x-big: ${'a'.repeat(200)}`, 'latin1'))).toThrow(/longer than 100/);
    const chunked = new Http1ResponseParser({ keepBody: keepAll });
    chunked.push(Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', 'latin1'));
    expect(() => chunked.push(Buffer.from('1'.repeat(2000), 'latin1'))).toThrow(/longer than 1024/);
  });

  it('keeps a complete response followed by stray bytes, and says the connection is out of step', () => {
    const parser = new Http1ResponseParser({ keepBody: keepAll });
    expect(parser.push(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\na\r\n', 'latin1'))).toBe(
      true,
    );
    expect([text(parser.response), parser.trailingBytes]).toEqual(['a', true]);
    const clean = new Http1ResponseParser({ keepBody: keepAll });
    clean.push(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\na', 'latin1'));
    expect(clean.trailingBytes).toBe(false);
  });

  it('refuses bare LF line ends at once, not once the head is complete', () => {
    const parser = new Http1ResponseParser({ keepBody: keepAll });
    expect(() => parser.push(Buffer.from('HTTP/1.1 200 OK\ncontent-length: 2\n', 'latin1'))).toThrow(
      /bare LF/,
    );
    // A CR at the end of one piece and its LF at the start of the next is a proper line end.
    const split = new Http1ResponseParser({ keepBody: keepAll });
    split.push(Buffer.from('HTTP/1.1 200 OK\r', 'latin1'));
    expect(split.push(Buffer.from('\ncontent-length: 0\r\n\r\n', 'latin1'))).toBe(true);
  });

  it('reports a response cut short', () => {
    const parser = new Http1ResponseParser({ keepBody: keepAll });
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc', 'latin1'));
    expect(parser.end()).toBe(false);
    expect(parser.response).toBeUndefined();
  });
});
