import { nodeBuiltin } from '../internal/node-builtin';
import { quietly } from '../internal/quietly';
import { unrefTimer } from '../internal/unref-timer';
import { optionChecker } from '../options/option-checker';
import type { SpoolOptions, SpoolStats } from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { TurnMessage } from '../spec/turn';
import { loadSegments, type Replayed, type SpoolRecord } from './load-segments';
import type { SpoolFs } from './spool-fs';
import { lockSpoolDir, type SpoolPlace, unlockSpoolDir } from './spool-lock';
import { type Segment, type SpoolLane, type SpoolRef, segmentName, segmentState } from './spool-segment';

/** What a spool tells its trail. */
export interface SpoolHost {
  /** The disk failed: the spool has stopped, the trail goes on in memory. */
  failed(error: unknown): void;
  /** Deliveries still unacknowledged whose segment went to keep the disk within `maxBytes`. */
  dropped(lane: number, count: number): void;
}

const HEADER_VERSION = 1;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_FSYNC_MS = 100;

/**
 * The trail's spool: `spool` when given (`false`: none), else one in `CHATTRAIL_SPOOL_DIR` when set.
 * @throws {ChatTrailError} for a bad option; a disk that cannot hold it goes to `host.failed`.
 */
export function openSpool(
  given: SpoolOptions | false | undefined,
  envDir: string | undefined,
  lanes: readonly SpoolLane[],
  host: SpoolHost,
): Spool | undefined {
  if (given === false || (given === undefined && envDir === undefined)) return undefined;
  const check = optionChecker('createChatTrail');
  if (given !== undefined && (given === null || typeof given !== 'object'))
    check.fail('spool', 'an object { dir, maxBytes?, fsyncMs? } or false', given);
  const dir = given === undefined ? envDir! : check.string('spool.dir', given.dir);
  if (dir === undefined) return check.fail('spool.dir', 'a directory path', given?.dir);
  const settings = {
    dir: dir.endsWith('/') && dir.length > 1 ? dir.slice(0, -1) : dir,
    maxBytes: check.positiveInteger('spool.maxBytes', given?.maxBytes, DEFAULT_MAX_BYTES),
    fsyncMs: check.nonNegativeNumber('spool.fsyncMs', given?.fsyncMs, DEFAULT_FSYNC_MS),
  };
  return new Spool(settings, lanes, host);
}

/**
 * A trail's durable queue: JSON lines in append-only segment files, written once per tick, fsynced within
 * `fsyncMs` and on flush; acks go to the item's segment, deleted once all are in; a new trail on `dir`
 * replays the rest. Turns are spooled as deltas, but a thread's first record in a segment carries its earlier
 * messages (`h`): a segment holds its threads whole (Melodi needs them), so deleting an older one loses
 * nothing. A disk failure stops it (`host.failed`, once): the trail goes on in memory. Never throws later.
 */
export class Spool {
  readonly #fs: SpoolFs;
  readonly #settings: Required<SpoolOptions>;
  readonly #segmentBytes: number;
  readonly #lanes: readonly SpoolLane[];
  readonly #host: SpoolHost;
  readonly #place: SpoolPlace;
  readonly #refs = new WeakMap<DeliveryItem, SpoolRef>();
  /** Oldest first; the last is the one appended to. */
  readonly #segments: Segment[] = [];
  #active!: Segment;
  #nextSegment = 0;
  #n = 0;
  readonly #turnMask: number;
  readonly #feedbackMask: number;
  /** Records to write, `m` set then: an acknowledgement may come first. */
  #queue: { ref: SpoolRef; record: SpoolRecord }[] = [];
  /** Per thread, what the active segment holds of it: see the class comment. */
  #threads = new Map<string, { count: number; last: TurnMessage | undefined }>();
  #writeScheduled = false;
  #fsyncTimer: ReturnType<typeof setTimeout> | undefined;
  #state: 'on' | 'failed' | 'closed' = 'on';
  readonly #stats = { bytesWritten: 0, fsyncs: 0, replayed: 0 };
  #replay: Replayed[] | undefined;
  /** Per lane, deliveries whose segment went at `maxBytes` before they were acknowledged. */
  readonly dropped: number[];

  /** Takes the directory and reads what is left; without `node:fs` or on a disk failure the spool is off. */
  constructor(settings: Required<SpoolOptions>, lanes: readonly SpoolLane[], host: SpoolHost) {
    const fs = nodeBuiltin<SpoolFs>('node:fs');
    const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
    this.#fs = fs!; // never used once failed, which a missing `fs` makes it at once
    this.#settings = settings;
    this.#segmentBytes = Math.max(4096, Math.min(settings.maxBytes / 4, 16 * 1024 * 1024));
    this.#lanes = lanes;
    this.#host = host;
    this.#turnMask = (1 << lanes.length) - 1;
    this.#feedbackMask = lanes.reduce((mask, lane, i) => (lane.feedback ? mask | (1 << i) : mask), 0);
    this.dropped = lanes.map(() => 0);
    this.#place = { dir: settings.dir, lock: '', main: false };
    try {
      if (typeof fs?.writeSync !== 'function')
        throw new Error('node:fs is not available on this runtime (Node ≥ 20.16 needed)');
      this.#place = lockSpoolDir(fs, settings.dir, pid);
      const loaded = loadSegments(fs, this.#place, lanes, this.#refs, pid);
      this.#segments.push(...loaded.segments);
      this.#nextSegment = loaded.next;
      this.#replay = loaded.replay;
      this.#stats.replayed = loaded.replay.length;
      this.#active = this.#newSegment();
    } catch (error) {
      this.#fail(error);
    }
  }

  /** What was left by earlier processes, oldest first, each with the lanes it is still due to; once. */
  takeReplay(): Replayed[] {
    const replay = this.#replay ?? [];
    this.#replay = undefined;
    return replay;
  }

  /** Spools an item just queued in the lanes. O(1) but for a thread's first record in a segment. */
  append(item: DeliveryItem): void {
    if (this.#state !== 'on') return;
    const mask = item.type === 'turn' ? this.#turnMask : this.#feedbackMask;
    if (mask === 0) return;
    const segment = this.#active;
    const ref: SpoolRef = { segment, n: this.#n++, mask };
    for (let i = 0; i < this.#lanes.length; i++) segment.pending[i]! += (mask >> i) & 1; // bit i is 1 << i
    this.#refs.set(item, ref);
    const record: SpoolRecord = { n: ref.n, m: mask };
    if (item.type === 'feedback') record.f = item.feedback;
    else {
      // A queued turn builds its Turn on each read (see TurnDelta): once here.
      record.t = item.turn;
      this.#addThread(record, item);
    }
    this.#queue.push({ ref, record });
    this.#scheduleWrite();
  }

  /** Lane `lane` is done with these items (delivered, or given up for good). */
  ack(lane: number, items: readonly DeliveryItem[]): void {
    if (this.#state !== 'on' || lane < 0) return;
    let any = false;
    for (const item of items) {
      const ref = this.#refs.get(item);
      if (ref === undefined) continue;
      const { segment } = ref;
      const bit = segment.bits[lane]!;
      if ((ref.mask & bit) === 0) continue;
      ref.mask &= ~bit;
      segment.pending[lane]!--;
      segment.acks ??= this.#lanes.map(() => []);
      segment.acks[lane]!.push(ref.n);
      any = true;
    }
    if (any) this.#scheduleWrite();
  }

  /** Writes what is waiting and fsyncs it: `flush()` calls this first. */
  sync(): void {
    this.#write();
    this.#fsync();
  }

  /** Syncs, deletes what is fully acknowledged, and lets the directory's lock go. */
  close(): void {
    if (this.#state !== 'on') return;
    this.sync();
    if (this.#state !== 'on') return;
    this.#state = 'closed';
    quietly(() => {
      for (const segment of [...this.#segments]) {
        if (settled(segment)) this.#remove(segment);
        else this.#closeFd(segment);
      }
    });
    unlockSpoolDir(this.#fs, this.#place);
  }

  stats(): SpoolStats {
    return {
      dir: this.#place.dir,
      state: this.#state === 'failed' ? 'memory' : 'on',
      segments: this.#segments.length,
      bytes: this.#bytes,
      ...this.#stats,
    };
  }

  get #bytes(): number {
    return this.#segments.reduce((sum, segment) => sum + segment.size, 0);
  }

  #newSegment(): Segment {
    const path = `${this.#place.dir}/${segmentName(this.#nextSegment++)}`;
    const bits = this.#lanes.map((_, i) => 1 << i);
    const segment = segmentState(path, bits, 0);
    this.#segments.push(segment);
    segment.fd = this.#fs.openSync(path, 'wx');
    const header = { v: HEADER_VERSION, lanes: this.#lanes.map((lane) => lane.name) };
    this.#writeTo(segment, `${JSON.stringify(header)}\n`);
    this.#threads = new Map();
    return segment;
  }

  /** Sets `s`, and `h` unless this segment's last record of the thread ends just before `s`. */
  #addThread(record: SpoolRecord, item: Extract<DeliveryItem, { type: 'turn' }>): void {
    const { threadId, messages } = record.t!;
    const start = item.thread === undefined ? 0 : (item.start ?? 0);
    const known = this.#threads.get(threadId);
    const before = start > 0 ? item.thread![start - 1] : undefined;
    if (start > 0) {
      record.s = start;
      if (known?.count !== start || known.last !== before) record.h = item.thread!.slice(0, start);
    }
    this.#threads.set(threadId, { count: start + messages.length, last: messages.at(-1) ?? before });
  }

  #scheduleWrite(): void {
    if (this.#writeScheduled) return;
    this.#writeScheduled = true;
    setImmediate(() => this.#write());
  }

  #write(): void {
    this.#writeScheduled = false;
    if (this.#state !== 'on') return;
    try {
      let text = '';
      for (const { ref, record } of this.#queue) {
        record.m = ref.mask;
        text += `${JSON.stringify(record)}\n`;
      }
      this.#queue = [];
      this.#writeTo(this.#active, text);
      for (const segment of [...this.#segments]) {
        const acks = segment.acks;
        if (acks === undefined) continue;
        segment.acks = undefined;
        if (settled(segment) && segment !== this.#active) {
          this.#remove(segment);
          continue;
        }
        let text = '';
        acks.forEach((ns, lane) => {
          if (ns.length > 0) text += `{"a":[${ns.join(',')}],"k":${Math.log2(segment.bits[lane]!)}}\n`;
        });
        this.#writeTo(segment, text);
      }
      const active = this.#active;
      if (active.size >= this.#segmentBytes || (settled(active) && this.#n > 0 && active.size > 256)) {
        this.#active = this.#newSegment();
        if (settled(active)) this.#remove(active);
      }
      this.#bound();
    } catch (error) {
      this.#fail(error);
    }
  }

  #writeTo(segment: Segment, text: string): void {
    if (text === '') return;
    if (segment.fd === undefined) segment.fd = this.#fs.openSync(segment.path, 'a');
    if (segment.torn) {
      text = `\n${text}`;
      segment.torn = false;
    }
    const bytes = this.#fs.writeSync(segment.fd, text);
    segment.size += bytes;
    segment.dirty = true;
    this.#stats.bytesWritten += bytes;
    if (this.#settings.fsyncMs === 0) this.#fsync();
    else this.#fsyncTimer ??= unrefTimer(setTimeout(() => this.#fsync(), this.#settings.fsyncMs));
  }

  #fsync(): void {
    if (this.#fsyncTimer !== undefined) clearTimeout(this.#fsyncTimer);
    this.#fsyncTimer = undefined;
    if (this.#state !== 'on') return;
    try {
      for (const segment of this.#segments) {
        if (!segment.dirty || segment.fd === undefined) continue;
        this.#fs.fsyncSync(segment.fd);
        segment.dirty = false;
        this.#stats.fsyncs++;
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Keeps the directory within `maxBytes`: the oldest segments go, with what they still held. */
  #bound(): void {
    if (this.#bytes <= this.#settings.maxBytes) return;
    if (this.#segments.length === 1) {
      const active = this.#active;
      this.#active = this.#newSegment();
      if (settled(active)) this.#remove(active);
    }
    while (this.#bytes > this.#settings.maxBytes && this.#segments.length > 1) {
      const oldest = this.#segments[0]!;
      oldest.pending.forEach((count, lane) => {
        if (count === 0) return;
        this.dropped[lane]! += count;
        this.#host.dropped(lane, count);
      });
      this.#remove(oldest);
    }
  }

  #remove(segment: Segment): void {
    segment.bits.fill(0); // acknowledgements of its items, still in the lanes, have nowhere to go
    this.#closeFd(segment);
    this.#fs.unlinkSync(segment.path);
    this.#segments.splice(this.#segments.indexOf(segment), 1);
  }

  #closeFd(segment: Segment): void {
    if (segment.fd !== undefined) this.#fs.closeSync(segment.fd);
    segment.fd = undefined;
  }

  #fail(error: unknown): void {
    if (this.#state !== 'on') return;
    this.#state = 'failed';
    this.#queue = [];
    if (this.#fsyncTimer !== undefined) clearTimeout(this.#fsyncTimer);
    for (const segment of this.#segments) quietly(() => this.#closeFd(segment));
    if (this.#place.lock !== '') unlockSpoolDir(this.#fs, this.#place);
    this.#host.failed(error);
  }
}

/** Whether every delivery spooled in it is acknowledged. */
function settled(segment: Segment): boolean {
  return segment.pending.every((count) => count === 0);
}
