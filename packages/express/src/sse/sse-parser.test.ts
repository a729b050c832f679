import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from './sse-parser';

function parse(pieces: string[], maxEventChars?: number) {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event), maxEventChars);
  for (const piece of pieces) parser.feed(piece);
  parser.end();
  return { events, dropped: parser.droppedEvents };
}

describe('SseParser', () => {
  it('reads data, event and id fields; joins data lines; skips comments and retry', () => {
    const { events } = parse([
      ': comment\n',
      'retry: 10\n',
      'event: update\nid: 7\ndata: first\ndata:second\n\n',
      'data: {"a":1}\n\n',
    ]);
    expect(events).toEqual([
      { event: 'update', data: 'first\nsecond', id: '7' },
      { event: 'message', data: '{"a":1}', id: '7' },
    ]);
  });

  it('accepts LF, CR and CRLF line breaks, also when a CRLF is split across pieces', () => {
    expect(parse(['data: a\r\n\r\ndata: b\r\rdata: c\n\n']).events.map((e) => e.data)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(parse(['data: a\r', '\n\r', '\ndata: b\r\n\r\n']).events.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('ignores events without data and dispatches a final event that lacks its blank line', () => {
    expect(parse(['event: ping\n\n', 'data: [DONE]']).events).toEqual([{ event: 'message', data: '[DONE]' }]);
  });

  it('drops an event larger than the limit, keeps no more than the limit, and resumes after it', () => {
    const big = `data: ${'x'.repeat(500)}\n\n`;
    const { events, dropped } = parse(
      ['data: small\n\n', big.slice(0, 100), big.slice(100), 'data: after\n\n'],
      64,
    );
    expect(events.map((e) => e.data)).toEqual(['small', 'after']);
    expect(dropped).toBe(1);
    // A huge line that is never terminated is dropped too, without being retained.
    const endless = parse(['data: ok\n\n', `data: ${'y'.repeat(1000)}`, 'y'.repeat(1000)], 64);
    expect(endless.events.map((e) => e.data)).toEqual(['ok']);
    expect(endless.dropped).toBe(1);
    // An oversized event whose last line ended exactly at a piece boundary.
    const exact = parse([`data: ${'z'.repeat(100)}\n`, '\n', 'data: next\n\n'], 64);
    expect(exact.events.map((e) => e.data)).toEqual(['next']);
  });
});
