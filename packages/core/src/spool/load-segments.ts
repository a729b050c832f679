import { quietly } from '../internal/quietly';
import type { ChatTrailFeedback } from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnMessage } from '../spec/turn';
import type { SpoolFs } from './spool-fs';
import { orphanDirs, type SpoolPlace } from './spool-lock';
import { type Segment, type SpoolLane, type SpoolRef, segmentName, segmentState } from './spool-segment';

/** An item read back, with the lanes (of this trail) it is still due to. */
export type Replayed = { readonly item: DeliveryItem; readonly lanes: number[] };

/**
 * Reads the segments earlier processes left, the directory's own and (holding its lock) those of dead
 * processes' subdirectories, moved in; deletes those fully done. Items still due get their ref in `refs`.
 */
export function loadSegments(
  fs: SpoolFs,
  place: SpoolPlace,
  lanes: readonly SpoolLane[],
  refs: WeakMap<DeliveryItem, SpoolRef>,
  pid: number,
): { segments: Segment[]; replay: Replayed[]; next: number } {
  const { dir } = place;
  const names = segmentNames(fs, dir);
  const files = names.map((name) => `${dir}/${name}`);
  let next = names.length === 0 ? 0 : Number.parseInt(names.at(-1)!, 10) + 1;
  for (const orphan of place.main ? orphanDirs(fs, dir, pid) : []) {
    for (const name of segmentNames(fs, orphan)) {
      const to = `${dir}/${segmentName(next++)}`;
      fs.renameSync(`${orphan}/${name}`, to);
      files.push(to);
    }
    quietly(() => fs.unlinkSync(`${orphan}/lock`));
    quietly(() => fs.rmdirSync(orphan));
  }
  const threads = new Map<string, TurnMessage[]>();
  const segments: Segment[] = [];
  const replay: Replayed[] = [];
  for (const path of files) {
    const text = fs.readFileSync(path, 'utf8');
    const read = readSegment(text);
    const bits = lanes.map((lane) => {
      const index = read.lanes.indexOf(lane.name);
      return index < 0 ? 0 : 1 << index;
    });
    const segment = segmentState(path, bits, text.length);
    segment.torn = read.torn;
    for (const record of read.records) {
      // Every record, acknowledged or not, rebuilds its thread for the records after it.
      const item = replayItem(record, threads);
      if (item === undefined) continue;
      const due: number[] = [];
      let mask = 0;
      const left = record.m & ~(read.acked.get(record.n) ?? 0);
      for (let i = 0; i < lanes.length; i++) {
        if ((left & bits[i]!) === 0 || (item.type === 'feedback' && !lanes[i]!.feedback)) continue;
        due.push(i);
        mask |= bits[i]!;
        segment.pending[i]!++;
      }
      if (due.length === 0) continue;
      refs.set(item, { segment, n: record.n, mask });
      replay.push({ item, lanes: due });
    }
    if (segment.pending.every((count) => count === 0)) fs.unlinkSync(path);
    else segments.push(segment);
  }
  return { segments, replay, next };
}

/** The item a record queued, its thread rebuilt from the records before it (`threads`, per thread id). */
function replayItem(record: SpoolRecord, threads: Map<string, TurnMessage[]>): DeliveryItem | undefined {
  if (record.f !== undefined) return { type: 'feedback', feedback: record.f };
  const turn = record.t;
  if (turn === undefined || typeof turn.threadId !== 'string' || !Array.isArray(turn.messages)) return;
  // A crashed process may have delivered it in part: not taken for a thread's first (see `isFirstTurn`).
  delete turn.turnMessages;
  const start = record.s ?? 0;
  let thread = record.h ?? threads.get(turn.threadId);
  if (start === 0 || thread === undefined || thread.length < start) {
    threads.set(turn.threadId, [...turn.messages]);
    return { type: 'turn', turn };
  }
  if (thread.length > start) thread = thread.slice(0, start);
  thread.push(...turn.messages);
  threads.set(turn.threadId, thread);
  return { type: 'turn', turn, thread, start };
}

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

/**
 * Parses a segment: a header `{"v":1,"lanes":[...]}`, records `{"n","m","t"}` and acknowledgements
 * `{"a":[n,...],"k":bit}` (`acked`: per record, the bits that acknowledged it), a line each. A line that
 * does not parse (cut by a crash) was never queued; `torn`: the file ends in one.
 */
function readSegment(text: string) {
  const segment = {
    lanes: [] as string[],
    records: [] as SpoolRecord[],
    acked: new Map<number, number>(),
    torn: !text.endsWith('\n'),
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const value = quietly(() => JSON.parse(line) as Record<string, unknown>);
    if (value === undefined) continue;
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

function segmentNames(fs: SpoolFs, dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.isDirectory() && /^\d{10}\.jsonl$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}
