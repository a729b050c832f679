/** One server-sent event as the browser's EventSource would dispatch it. */
export interface SseEvent {
  /** The `event:` field, `'message'` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  id?: string;
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

/**
 * Incremental text/event-stream parser (WHATWG "event stream interpretation"). Text is fed in whatever
 * pieces the response was written in; complete events are handed to `onEvent` as soon as their blank line
 * arrives. It retains only the current line and the current event, and refuses to grow either beyond
 * `maxEventChars`: such an event is dropped (counted in `droppedEvents`) and parsing resumes at the next
 * event boundary, so a server that never sends a newline cannot make it hold more than that.
 */
export class SseParser {
  /** Events skipped because they exceeded `maxEventChars`. */
  droppedEvents = 0;
  private line = '';
  private data = '';
  private hasData = false;
  private eventType = '';
  private lastId: string | undefined;
  private size = 0;
  private overflowing = false;
  /** While overflowing: whether the (discarded) current line had any characters. */
  private overflowLineUsed = false;
  private skipLeadingLF = false;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly maxEventChars = Number.POSITIVE_INFINITY,
  ) {}

  feed(text: string): void {
    const n = text.length;
    let start = 0;
    if (this.skipLeadingLF) {
      // A CR ended the previous piece; a LF opening this one belongs to the same line break.
      this.skipLeadingLF = false;
      if (n > 0 && text.charCodeAt(0) === LF) start = 1;
    }
    if (text.indexOf('\r', start) === -1) {
      // Fast path, the common case: LF-only line breaks.
      for (let lf = text.indexOf('\n', start); lf !== -1; lf = text.indexOf('\n', start)) {
        this.endLine(text, start, lf);
        start = lf + 1;
      }
    } else {
      for (let i = start; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c !== LF && c !== CR) continue;
        this.endLine(text, start, i);
        if (c === CR) {
          if (i + 1 < n) {
            if (text.charCodeAt(i + 1) === LF) i++;
          } else {
            this.skipLeadingLF = true;
          }
        }
        start = i + 1;
      }
    }
    if (start < n) this.appendPartialLine(text.slice(start));
  }

  /**
   * The stream ended. The specification discards an event without its closing blank line; servers that
   * end with `res.end('data: [DONE]')` exist, so a pending event with data is dispatched instead.
   */
  end(): void {
    if (this.line !== '') {
      const line = this.line;
      this.line = '';
      if (!this.overflowing) this.processLine(line);
    }
    this.dispatch();
  }

  private appendPartialLine(piece: string): void {
    if (this.overflowing) {
      this.overflowLineUsed = true;
      return;
    }
    this.size += piece.length;
    if (this.size > this.maxEventChars) {
      this.overflow(true);
      return;
    }
    this.line += piece;
  }

  private endLine(text: string, from: number, to: number): void {
    if (this.overflowing) {
      if (!this.overflowLineUsed && from === to) {
        // The blank line that ends the oversized event: start afresh.
        this.overflowing = false;
        this.resetEvent();
      }
      this.overflowLineUsed = false;
      return;
    }
    let line: string;
    if (this.line === '') line = text.slice(from, to);
    else {
      line = this.line + text.slice(from, to);
      this.line = '';
    }
    this.size += to - from;
    if (this.size > this.maxEventChars) {
      this.overflow(false);
      return;
    }
    this.processLine(line);
  }

  private overflow(midLine: boolean): void {
    this.droppedEvents++;
    this.overflowing = true;
    // A line cut off mid-way is not finished yet: its line break must not count as a blank line.
    this.overflowLineUsed = midLine;
    this.line = '';
    this.data = '';
    this.hasData = false;
  }

  private processLine(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === COLON) return; // comment (keep-alives)
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
    }
    switch (field) {
      case 'data':
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\u0000')) this.lastId = value;
        break;
      default: // 'retry' and unknown fields are ignored
    }
  }

  private dispatch(): void {
    if (this.hasData) {
      const event: SseEvent = { event: this.eventType || 'message', data: this.data };
      if (this.lastId !== undefined) event.id = this.lastId;
      this.resetEvent();
      this.onEvent(event);
    } else {
      this.resetEvent();
    }
  }

  private resetEvent(): void {
    this.data = '';
    this.hasData = false;
    this.eventType = '';
    this.size = 0;
  }
}
