import { StringDecoder } from 'node:string_decoder';
import type { InputContainer } from './detect-input';
import { JsonArraySplitter } from './json-array-splitter';

/** One conversation's text, not yet parsed. */
export interface InputRecord {
  /**
   * What the checkpoint counts: the line for JSON lines, the element's position for an array, 1 for a
   * whole-input conversation.
   */
  position: number;
  /** The 1-based line where it starts, for error reports. */
  line: number;
  text: string;
}

/** How much of an input is read before its format is decided. */
export const PREFIX_BYTES = 64 * 1024;

/** An input whose first bytes were read to tell its format; `chunks` still yields every byte from the start. */
export interface PeekedInput {
  prefix: string;
  chunks: AsyncIterable<Buffer>;
}

/** Reads the first {@link PREFIX_BYTES} (or all, when shorter) and hands back the stream whole. */
export async function peekInput(stream: AsyncIterable<Buffer | string>): Promise<PeekedInput> {
  const iterator = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < PREFIX_BYTES) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    const buffer = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(buffer);
    size += buffer.length;
  }
  const prefix = new StringDecoder('utf8').write(Buffer.concat(head));
  async function* chunks(): AsyncGenerator<Buffer> {
    yield* head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  }
  return { prefix, chunks: chunks() };
}

/**
 * The conversations of an input, as text, in order; `onBytes` is told how many bytes each chunk held (for
 * progress). Lines are yielded even when empty, so that positions are line numbers.
 */
export async function* inputRecords(
  chunks: AsyncIterable<Buffer>,
  container: InputContainer,
  onBytes: (bytes: number) => void = () => {},
): AsyncGenerator<InputRecord> {
  const decoder = new StringDecoder('utf8');
  if (container === 'whole') {
    const parts: string[] = [];
    for await (const chunk of chunks) {
      onBytes(chunk.length);
      parts.push(decoder.write(chunk));
    }
    parts.push(decoder.end());
    yield { position: 1, line: 1, text: parts.join('').replace(/^\uFEFF/, '') };
    return;
  }
  if (container === 'array') {
    const splitter = new JsonArraySplitter();
    for await (const chunk of chunks) {
      onBytes(chunk.length);
      for (const element of splitter.push(decoder.write(chunk))) {
        yield { position: element.index, line: element.line, text: element.text };
      }
    }
    for (const element of [...splitter.push(decoder.end()), ...splitter.end()]) {
      yield { position: element.index, line: element.line, text: element.text };
    }
    return;
  }
  let line = 0;
  let rest = '';
  for await (const chunk of chunks) {
    onBytes(chunk.length);
    const text = decoder.write(chunk);
    // Search only the new text: a long line spread over many chunks is scanned once.
    let end = text.indexOf('\n');
    if (end === -1) {
      rest += text;
      continue;
    }
    line++;
    yield { position: line, line, text: stripLineEnd(rest + text.slice(0, end), line) };
    let start = end + 1;
    for (end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      line++;
      yield { position: line, line, text: stripLineEnd(text.slice(start, end), line) };
      start = end + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') {
    line++;
    yield { position: line, line, text: stripLineEnd(rest, line) };
  }
}

function stripLineEnd(text: string, line: number): string {
  const withoutCr = text.endsWith('\r') ? text.slice(0, -1) : text;
  return line === 1 ? withoutCr.replace(/^\uFEFF/, '') : withoutCr;
}
