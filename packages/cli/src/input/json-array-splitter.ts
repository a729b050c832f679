import { ImportInputError } from '../formats/import-input-error';

/** One element of the top-level array, as JSON text not yet parsed. */
export interface ArrayElement {
  /** 1-based position in the array. */
  index: number;
  /** 1-based line of the input where the element starts. */
  line: number;
  text: string;
}

/** Elements larger than this stop the input: a broken string would otherwise swallow the whole file. */
export const DEFAULT_MAX_ELEMENT_CHARS = 256 * 1024 * 1024;

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BOM = 0xfeff;

function isSpace(code: number): boolean {
  return code === 0x20 || code === NEWLINE || code === 0x0d || code === 0x09;
}

/**
 * Splits a top-level JSON array (`[{…}, {…}, …]`) into the text of its elements as the input arrives in
 * chunks, so a ChatGPT export of any size is read in memory bounded by its largest conversation rather than
 * by the file. It tracks only what decides where an element ends: brace and bracket depth, and whether it is
 * inside a string (and after a backslash there), so chunk boundaries may fall anywhere, even inside an
 * escape. Elements are not validated; `JSON.parse` of each one reports its own errors.
 */
export class JsonArraySplitter {
  readonly #maxElementChars: number;
  #state: 'start' | 'between' | 'element' | 'done' = 'start';
  #parts: string[] = [];
  #partsChars = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #line = 1;
  #elementLine = 1;
  #index = 0;

  constructor(options: { maxElementChars?: number } = {}) {
    this.#maxElementChars = options.maxElementChars ?? DEFAULT_MAX_ELEMENT_CHARS;
  }

  /** The elements completed by this chunk, in order. */
  push(chunk: string): ArrayElement[] {
    const out: ArrayElement[] = [];
    let start = this.#state === 'element' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.charCodeAt(i);
      if (code === NEWLINE) this.#line++;
      switch (this.#state) {
        case 'start':
          if (isSpace(code) || code === BOM) continue;
          if (code !== OPEN_BRACKET) {
            throw new ImportInputError(
              `not a JSON array: it starts with ${JSON.stringify(chunk.slice(i, i + 20))}`,
            );
          }
          this.#state = 'between';
          continue;
        case 'done':
          if (isSpace(code)) continue;
          throw new ImportInputError(`text after the end of the array on line ${this.#line}`);
        case 'between':
          if (isSpace(code) || code === COMMA) continue;
          if (code === CLOSE_BRACKET) {
            this.#state = 'done';
            continue;
          }
          this.#state = 'element';
          this.#elementLine = this.#line;
          this.#depth = 0;
          this.#inString = false;
          this.#escaped = false;
          start = i;
          break;
      }
      // Inside an element.
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (code === BACKSLASH) this.#escaped = true;
        else if (code === QUOTE) {
          this.#inString = false;
          if (this.#depth === 0) {
            this.#emit(chunk, start, i + 1, out);
            start = -1;
          }
        }
        continue;
      }
      if (code === QUOTE) this.#inString = true;
      else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.#depth++;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (this.#depth === 0) {
          // A scalar element ends at the array's closing bracket.
          this.#emit(chunk, start, i, out);
          start = -1;
          this.#state = code === CLOSE_BRACKET ? 'done' : 'between';
          continue;
        }
        this.#depth--;
        if (this.#depth === 0) {
          this.#emit(chunk, start, i + 1, out);
          start = -1;
        }
      } else if (this.#depth === 0 && (code === COMMA || isSpace(code))) {
        // A scalar element (number, true, null) ends at a comma or a space.
        this.#emit(chunk, start, i, out);
        start = -1;
      }
    }
    if (this.#state === 'element' && start >= 0) {
      this.#parts.push(chunk.slice(start));
      this.#partsChars += chunk.length - start;
      if (this.#partsChars > this.#maxElementChars) {
        throw new ImportInputError(
          `element ${this.#index + 1} (line ${this.#elementLine}) is longer than ${this.#maxElementChars} characters; is a string left open?`,
        );
      }
    }
    return out;
  }

  /**
   * Called at the end of the input. Returns an element cut off by the end of the input, so that the caller
   * reports it (its text does not parse); throws when the input held no array at all.
   */
  end(): ArrayElement[] {
    if (this.#state === 'start') throw new ImportInputError('empty input: expected a JSON array');
    if (this.#state !== 'element') return [];
    const text = this.#parts.join('');
    this.#parts = [];
    this.#partsChars = 0;
    this.#state = 'done';
    return [{ index: ++this.#index, line: this.#elementLine, text }];
  }

  #emit(chunk: string, start: number, end: number, out: ArrayElement[]): void {
    let text = chunk.slice(start, end);
    if (this.#parts.length > 0) {
      this.#parts.push(text);
      text = this.#parts.join('');
      this.#parts = [];
      this.#partsChars = 0;
    }
    out.push({ index: ++this.#index, line: this.#elementLine, text });
    this.#state = this.#state === 'element' ? 'between' : this.#state;
  }
}
