import type { ChatTrailFeedback } from '../spec/chat-trail';
import type { Turn, TurnMessage } from '../spec/turn';

/** A record line: a delivery item, `m` the bits (header order) of the destinations it is queued for. */
export interface SpoolRecord {
  n: number;
  m: number;
  /** A turn: only the messages new to its thread when recorded (a delta), like a queued item. */
  t?: Turn;
  /** The thread position of `t`'s first message, when not 0. */
  s?: number;
  /** The thread's messages before `s`, when this segment does not hold them already (see `Spool`). */
  h?: TurnMessage[];
  f?: ChatTrailFeedback;
}

/** A segment file as read back: its destinations, its records, and what each record still waits for. */
export interface ReadSegment {
  lanes: string[];
  records: SpoolRecord[];
  /** Per record `n`, the bits of destinations that acknowledged it. */
  acked: Map<number, number>;
  /** It ends without a newline: the process died in the middle of a write. */
  torn: boolean;
}

/**
 * Parses a segment: a header `{"v":1,"lanes":[...]}`, records `{"n","m","t"}` and acknowledgements
 * `{"a":[n,...],"k":bit}`, a line each. A line that does not parse (cut by a crash) was never queued.
 */
export function readSegment(text: string): ReadSegment {
  const segment: ReadSegment = { lanes: [], records: [], acked: new Map(), torn: !text.endsWith('\n') };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (Array.isArray(value.lanes)) segment.lanes = value.lanes.map(String);
    else if (Array.isArray(value.a) && typeof value.k === 'number') {
      const bit = 1 << value.k;
      for (const n of value.a as number[]) segment.acked.set(n, (segment.acked.get(n) ?? 0) | bit);
    } else if (typeof value.n === 'number' && typeof value.m === 'number') {
      segment.records.push(value as unknown as SpoolRecord);
    }
  }
  return segment;
}
