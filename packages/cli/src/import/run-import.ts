import { appendFileSync, createReadStream, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { type ChatTrail, type ChatTrailDrop, createChatTrail, type Turn } from '@chattrail/core';
import { boundId } from '@chattrail/core/adapter';
import { chatGPTConversationToTurn } from '../formats/chatgpt-conversation-to-turn';
import { ImportInputError } from '../formats/import-input-error';
import { type ConversationOrigin, openAIChatToTurn } from '../formats/openai-chat-to-turn';
import { uiMessagesToTurn } from '../formats/ui-messages-to-turn';
import { detectInput, type ImportFormat } from '../input/detect-input';
import { inputRecords, peekInput } from '../input/input-records';
import { DeliveryTracker, TrackedChunk } from './delivery-tracker';
import { HashedIdSet } from './hashed-id-set';
import {
  type CheckpointFile,
  type InputCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from './import-checkpoint';
import { type Backend, importDestinations } from './import-destinations';
import { ImportProgress } from './import-progress';

/** Options of {@link runImport}; the CLI's flags map onto them. */
export interface ImportOptions {
  /** Paths, or `-` for standard input. */
  files: string[];
  /** The inputs' format. Default `'auto'`: told from each input's name and first bytes. */
  format?: ImportFormat | 'auto';
  /** Limit the destinations to these backends. Default: every one the environment configures. */
  to?: Backend[];
  /** Requests per destination at once. Default 8. */
  concurrency?: number;
  /** Conversations acknowledged together before the checkpoint moves (4 chunks in flight). Default 500. */
  chunkSize?: number;
  /** Checkpoint file. Default: `<input>.chattrail-checkpoint.json` beside each input (none for stdin). */
  checkpoint?: string;
  /** Append one JSON line per bad conversation here. */
  errors?: string;
  /** Parse and validate only; send nothing. */
  dryRun?: boolean;
  /** Progress and summary as JSON lines on stdout. */
  json?: boolean;
  /** Milliseconds between progress lines (not on a TTY, which redraws one line). Default 5,000. */
  progressIntervalMs?: number;
  /** Progress as one line redrawn in place. Default: when stderr is a TTY (and neither `json` nor `write` is set). */
  tty?: boolean;
  /** Per-request timeout. Default 30,000 ms. */
  timeoutMs?: number;
  debug?: boolean;
  /** Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Default `process.stdin`. */
  stdin?: Readable;
  /** Where progress and the summary go. Default: stderr for progress and text, stdout for `--json`. */
  write?: (line: string) => void;
  /** @internal For tests: the trail's backoff after a transient failure. */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** A conversation that was not imported, and why. */
export interface ImportFailure {
  file: string;
  /** The line where the conversation starts (0: the input as a whole). */
  line: number;
  /** For a JSON array (a ChatGPT export): the conversation's 1-based position in it. */
  conversation?: number;
  reason: string;
}

/** What {@link runImport} resolves to. Counts are this run's, not the checkpoint's. */
export interface ImportSummary {
  /** Conversations delivered to every destination. */
  imported: number;
  /** Conversations not sent because a checkpoint or the backend said they were already imported. */
  skipped: number;
  failed: number;
  /** Messages in the imported conversations. */
  messages: number;
  /** The first 100 failures. */
  failures: ImportFailure[];
  /** Lines passed over because the checkpoint had them acknowledged, per input. */
  resumed: Record<string, number>;
  /** Dry run: what would be sent. */
  plan?: { threads: number; messages: number; users: number; from?: string; to?: string };
  /** Problems that stopped the run before it sent anything (no destination, unreadable checkpoint). */
  fatal?: string;
}

const MAX_LISTED_FAILURES = 100;

const CONVERTERS: Record<ImportFormat, (value: unknown, origin: ConversationOrigin) => Turn> = {
  'openai-jsonl': openAIChatToTurn,
  chatgpt: chatGPTConversationToTurn,
  'ui-messages': uiMessagesToTurn,
};

/** Where a conversation came from, as an {@link ImportFailure} names it. */
type Location = Omit<ImportFailure, 'reason'>;

interface Chunk {
  tracked: TrackedChunk<Location>;
  /** Conversations read into it, good or bad. */
  records: number;
  /** Input lines that failed (malformed, not a conversation): committed with the chunk, in order. */
  failures: ImportFailure[];
  /** The input position the checkpoint moves to once the chunk is committed. */
  endLine: number;
}

/**
 * Chunks recorded into the trail and not yet acknowledged, at most: the next is read and queued while the
 * previous ones are delivered, so the backends never wait for the reader. The checkpoint only moves past
 * the oldest (see `DeliveryTracker`).
 */
const CHUNKS_IN_FLIGHT = 4;
/** And at most this much input text in flight (a ChatGPT export's conversations can be large). */
const BYTES_IN_FLIGHT = 32 * 1024 * 1024;

/**
 * Imports conversations through the core's trail. Reads each input as a stream, one line at a time, in
 * chunks of `chunkSize` conversations, up to CHUNKS_IN_FLIGHT of them queued at once: the checkpoint moves
 * past a chunk only once every destination has acknowledged (or dropped for good) all of it and every
 * chunk before it (`DeliveryTracker`). A run that is killed resends at most the chunks in flight, and
 * re-sending is harmless: Melodi merges messages by their stable ids, and Mielto conversations are
 * written whole, once per thread (see `MieltoImportDestination`).
 */
export async function runImport(options: ImportOptions): Promise<ImportSummary> {
  const env = options.env ?? process.env;
  const json = options.json === true;
  const write =
    options.write ?? ((line: string) => (json ? process.stdout : process.stderr).write(`${line}\n`));
  const summary: ImportSummary = {
    imported: 0,
    skipped: 0,
    failed: 0,
    messages: 0,
    failures: [],
    resumed: {},
  };
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 500));

  let trail: ChatTrail | undefined;
  let tracker: DeliveryTracker<Location> | undefined;
  if (options.dryRun !== true) {
    const destinations = importDestinations(env, {
      to: options.to,
      concurrency,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    if (destinations.problems.length > 0) {
      summary.fatal = destinations.problems.join('; ');
      return summary;
    }
    const mielto = destinations.mielto;
    const tracking = new DeliveryTracker<Location>(
      destinations.destinations.map((destination) => destination.name),
      (name, item) =>
        mielto !== undefined &&
        name === mielto.name &&
        item.type === 'turn' &&
        mielto.takeSkipped(item.turn.threadId),
    );
    tracker = tracking;
    trail = createChatTrail({
      destinations: destinations.destinations.map((destination) => tracking.wrap(destination)),
      // The import paces itself by chunks: batches go out back to back, as large as a chunk.
      minBatchIntervalMs: 0,
      flushAt: Math.min(chunkSize, 100),
      flushIntervalMs: 100,
      maxBatchTurns: chunkSize,
      // Room for every chunk in flight (see CHUNKS_IN_FLIGHT, BYTES_IN_FLIGHT): a full queue drops.
      maxQueueTurns: (CHUNKS_IN_FLIGHT + 1) * chunkSize,
      maxQueueBytes: 8 * BYTES_IN_FLIGHT,
      timeoutMs: options.timeoutMs ?? 30_000,
      debug: options.debug === true,
      // Everything is imported, content and all: the app's CHATTRAIL_SAMPLE_RATE, CHATTRAIL_DISABLED or
      // a trimmed-content setting must not thin out a backfill.
      env: {},
      sampleRate: 1,
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      onDrop: (drop: ChatTrailDrop) => tracking.dropped(drop),
      // Failures reach the summary through onDrop, per conversation; no console lines in between.
      onError: () => {},
    });
  }

  const plan = { threads: new HashedIdSet(), users: new HashedIdSet(), messages: 0, from: '', to: '' };
  const started = Date.now();
  let seen = 0;
  let bytesRead = 0;
  const totalBytes = inputSize(options.files);
  const tty = options.tty ?? (options.write === undefined && !json && process.stderr.isTTY === true);
  const progress = new ImportProgress({
    mode: json ? 'json' : tty ? 'tty' : 'plain',
    write: (text) => {
      if (tty && options.write === undefined) process.stderr.write(text);
      else write(text.replace(/\n$/, ''));
    },
    snapshot: () => ({
      read: seen,
      ...counts(summary),
      bytesRead,
      ...(totalBytes === undefined ? {} : { totalBytes }),
      elapsedMs: Date.now() - started,
    }),
    intervalMs: options.progressIntervalMs ?? 5_000,
    columns: () => process.stderr.columns,
    color: tty && env.NO_COLOR === undefined,
  });
  progress.start();

  let recorded = 0;
  /** One flush at a time, shared by every wait: it tells when the trail holds nothing more. */
  let idle: Promise<{ pendingTurns: number; recorded: number }> | undefined;
  const drained = () => {
    if (idle === undefined) {
      const before = recorded;
      idle = trail!.flush({ timeoutMs: 60_000 }).then((report) => {
        idle = undefined;
        return { pendingTurns: report.pendingTurns, recorded: before };
      });
    }
    return idle;
  };
  /** Until every conversation of `chunk` is settled at every destination. */
  const settled = async (chunk: TrackedChunk<Location>) => {
    while (!chunk.isSettled) {
      // flush() resolves within its timeout even when a backend is down; the trail keeps retrying.
      const report = await Promise.race([chunk.settled.then(() => undefined), drained()]);
      if (report === undefined || chunk.isSettled) return;
      // The trail drained with all of this chunk recorded, yet some of it was never settled: it never
      // reached a queue (the trail counted it as an internal error). Not imported, so say so.
      if (report.pendingTurns === 0 && chunk.lastRecorded <= report.recorded) {
        tracker!.abandon(chunk, 'not queued by the trail (internal error)');
      }
    }
  };
  const commitFailures = (failures: ImportFailure[]) => {
    for (const failure of failures) {
      summary.failed++;
      if (summary.failures.length < MAX_LISTED_FAILURES) summary.failures.push(failure);
      if (options.errors !== undefined) appendFileSync(options.errors, `${JSON.stringify(failure)}\n`);
    }
    failures.length = 0;
  };

  try {
    for (const file of options.files) {
      const isStdin = file === '-';
      const key = isStdin ? '-' : resolve(file);
      const checkpointPath =
        options.checkpoint ?? (isStdin ? undefined : `${file}.chattrail-checkpoint.json`);
      const checkpoint: CheckpointFile | undefined =
        checkpointPath === undefined || options.dryRun === true ? undefined : readCheckpoint(checkpointPath);
      const state: InputCheckpoint = checkpoint?.inputs[key] ?? {
        line: 0,
        imported: 0,
        skipped: 0,
        failed: 0,
        messages: 0,
        updatedAt: new Date().toISOString(),
      };
      if (state.line > 0) summary.resumed[file] = state.line;
      const fileName = isStdin ? 'stdin' : basename(file);

      let lineNumber = 0;
      const newChunk = (): Chunk => ({
        tracked: new TrackedChunk<Location>(),
        records: 0,
        failures: [],
        endLine: 0,
      });
      let chunk = newChunk();
      /** Closed chunks, oldest first, not yet committed to the checkpoint. */
      const inFlight: Chunk[] = [];
      let bytesInFlight = 0;

      const commit = (done: Chunk) => {
        for (const conversation of done.tracked.conversations) {
          if (conversation.failure !== undefined) {
            done.failures.push({ ...conversation.at, reason: conversation.failure });
          } else if (conversation.skipped) {
            summary.skipped++;
            state.skipped++;
          } else {
            summary.imported++;
            summary.messages += conversation.messages;
            state.imported++;
            state.messages += conversation.messages;
          }
        }
        state.failed += done.failures.length;
        commitFailures(done.failures);
        state.line = done.endLine;
        state.updatedAt = new Date().toISOString();
        if (checkpoint !== undefined && checkpointPath !== undefined) {
          checkpoint.inputs[key] = state;
          writeCheckpoint(checkpointPath, checkpoint);
        }
      };
      /**
       * Closes the chunk being read and commits, in order, the chunks already settled; waits for the
       * oldest while too much is in flight (`drain`: until everything is committed).
       */
      const cut = async (drain: boolean) => {
        chunk.endLine = lineNumber;
        chunk.tracked.lastRecorded = recorded;
        chunk.tracked.close();
        inFlight.push(chunk);
        bytesInFlight += chunk.tracked.bytes;
        chunk = newChunk();
        while (inFlight.length > 0) {
          const oldest = inFlight[0]!;
          const mustWait = drain || inFlight.length > CHUNKS_IN_FLIGHT || bytesInFlight > BYTES_IN_FLIGHT;
          if (!oldest.tracked.isSettled && !mustWait) break;
          await settled(oldest.tracked);
          inFlight.shift();
          bytesInFlight -= oldest.tracked.bytes;
          commit(oldest);
        }
      };

      try {
        const peeked = await peekInput(isStdin ? (options.stdin ?? process.stdin) : createReadStream(file));
        const detected = detectInput(peeked.prefix, fileName, options.format ?? 'auto');
        if ('error' in detected) throw new ImportInputError(detected.error);
        const convert = CONVERTERS[detected.format];
        const records = inputRecords(peeked.chunks, detected.container, (bytes) => {
          bytesRead += bytes;
        });
        for await (const record of records) {
          // Cut before this record, so the chunk ends at the last one handled.
          if (chunk.records >= chunkSize) await cut(false);
          lineNumber = record.position;
          if (lineNumber <= state.line) continue;
          if (record.text.trim() === '') continue;
          seen++;
          chunk.records++;
          const at =
            detected.container === 'array'
              ? { file, line: record.line, conversation: record.position }
              : { file, line: record.line };
          const origin: ConversationOrigin = { file, fileName, line: lineNumber };
          const text = record.text;
          let turn: Turn;
          try {
            let value: unknown;
            try {
              value = JSON.parse(text);
            } catch (error) {
              throw new ImportInputError(`malformed JSON: ${(error as Error).message}`);
            }
            turn = convert(value, origin);
          } catch (error) {
            const reason = error instanceof ImportInputError ? error.message : String(error);
            chunk.failures.push({ ...at, reason });
            continue;
          }
          if (trail === undefined) {
            // Dry run: count what would be sent.
            plan.threads.add(turn.threadId);
            if (turn.user !== undefined) plan.users.add(turn.user.id);
            plan.messages += turn.messages.length;
            if (plan.from === '' || turn.startedAt < plan.from) plan.from = turn.startedAt;
            if (turn.startedAt > plan.to) plan.to = turn.startedAt;
            continue;
          }
          tracker!.track(
            boundId(turn.id),
            { at, messages: turn.messages.length, skipped: false },
            chunk.tracked,
          );
          chunk.tracked.bytes += text.length;
          trail.record(turn);
          recorded++;
        }
      } catch (error) {
        // An unreadable input (missing, a folder, no permission, not in any format) fails as a whole from
        // where it stopped; the others still run.
        const reason =
          error instanceof ImportInputError ? error.message : `cannot read: ${(error as Error).message}`;
        chunk.failures.push({ file, line: lineNumber, reason });
      }
      await cut(true);
    }
  } finally {
    progress.stop();
    await trail?.shutdown({ timeoutMs: 10_000 });
  }
  if (options.dryRun === true) {
    summary.plan = {
      threads: plan.threads.size,
      messages: plan.messages,
      users: plan.users.size,
      ...(plan.from === '' ? {} : { from: plan.from, to: plan.to }),
    };
  }
  return summary;
}

/** The inputs' bytes together; unknown when one is stdin or cannot be read (it fails later, with a reason). */
function inputSize(files: readonly string[]): number | undefined {
  let total = 0;
  for (const file of files) {
    if (file === '-') return undefined;
    try {
      total += statSync(file).size;
    } catch {
      return undefined;
    }
  }
  return total;
}

function counts(summary: ImportSummary) {
  const { imported, skipped, failed, messages } = summary;
  return { imported, skipped, failed, messages };
}
