import { appendFileSync, createReadStream, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { type ChatTrail, type ChatTrailDrop, createChatTrail, type Turn } from '@chattrail/core';
import { chatGPTConversationToTurn } from '../formats/chatgpt-conversation-to-turn';
import { ImportInputError } from '../formats/import-input-error';
import { type ConversationOrigin, openAIChatToTurn } from '../formats/openai-chat-to-turn';
import { uiMessagesToTurn } from '../formats/ui-messages-to-turn';
import { detectInput, type ImportFormat } from '../input/detect-input';
import { inputRecords, peekInput } from '../input/input-records';
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
  /** Conversations delivered and acknowledged together before the checkpoint moves. Default 500. */
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

interface Pending {
  file: string;
  line: number;
  conversation?: number;
  threadId: string;
  messages: number;
}

/**
 * Imports conversations through the core's trail. Reads each input as a stream, one line at a time, and
 * delivers `chunkSize` conversations at a time: the checkpoint moves past a chunk only once `flush()` has
 * seen every destination acknowledge (or drop for good) all of it. A run that is killed resends at most
 * one chunk, and re-sending is harmless: Melodi merges messages by their stable ids, and Mielto
 * conversations are written whole, once per thread (see `MieltoImportDestination`).
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
  let destinations: ReturnType<typeof importDestinations> | undefined;
  /** Per chunk: thread id → why a destination dropped it. */
  const dropped = new Map<string, string>();
  if (options.dryRun !== true) {
    destinations = importDestinations(env, {
      to: options.to,
      concurrency,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    if (destinations.problems.length > 0) {
      summary.fatal = destinations.problems.join('; ');
      return summary;
    }
    trail = createChatTrail({
      destinations: destinations.destinations,
      // The import paces itself by chunks: batches go out back to back.
      minBatchIntervalMs: 0,
      flushAt: Math.min(chunkSize, 100),
      maxQueueTurns: Math.max(4 * chunkSize, 1000),
      maxBatchTurns: Math.max(chunkSize, 100),
      timeoutMs: options.timeoutMs ?? 30_000,
      debug: options.debug === true,
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      onDrop: (drop: ChatTrailDrop) => {
        const reason = `${drop.destination}: ${drop.reason}${drop.error instanceof Error ? ` (${drop.error.message})` : ''}`;
        for (const turn of drop.turns) if (!dropped.has(turn.threadId)) dropped.set(turn.threadId, reason);
      },
      // Failures reach the summary through onDrop, per conversation; no console lines in between.
      onError: () => {},
    });
  }

  const plan = { threads: new Set<string>(), users: new Set<string>(), messages: 0, from: '', to: '' };
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

  const fail = (failure: ImportFailure, pendingFailures: ImportFailure[]) => {
    pendingFailures.push(failure);
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

      let chunk: Pending[] = [];
      const chunkFailures: ImportFailure[] = [];
      let lineNumber = 0;
      const deliver = async () => {
        if (trail !== undefined && chunk.length > 0) {
          // flush() resolves within its timeout even when a backend is down; the trail keeps retrying.
          for (;;) {
            const report = await trail.flush({ timeoutMs: 60_000 });
            if (report.pendingTurns === 0) break;
          }
          const skippedAtMielto = destinations?.mielto?.skippedThreads;
          for (const entry of chunk) {
            const reason = dropped.get(entry.threadId);
            if (reason !== undefined) {
              const { threadId: _, messages: __, ...at } = entry;
              fail({ ...at, reason }, chunkFailures);
            } else if (skippedAtMielto?.has(entry.threadId) === true) {
              summary.skipped++;
              state.skipped++;
            } else {
              summary.imported++;
              summary.messages += entry.messages;
              state.imported++;
              state.messages += entry.messages;
            }
          }
          skippedAtMielto?.clear();
          dropped.clear();
        }
        state.failed += chunkFailures.length;
        commitFailures(chunkFailures);
        chunk = [];
        state.line = lineNumber;
        state.updatedAt = new Date().toISOString();
        if (checkpoint !== undefined && checkpointPath !== undefined) {
          checkpoint.inputs[key] = state;
          writeCheckpoint(checkpointPath, checkpoint);
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
          lineNumber = record.position;
          if (lineNumber <= state.line) continue;
          if (record.text.trim() === '') continue;
          seen++;
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
            fail({ ...at, reason }, chunkFailures);
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
          trail.record(turn);
          chunk.push({ ...at, threadId: turn.threadId, messages: turn.messages.length });
          if (chunk.length >= chunkSize) await deliver();
        }
      } catch (error) {
        // An unreadable input (missing, a folder, no permission, not in any format) fails as a whole from
        // where it stopped; the others still run.
        const reason =
          error instanceof ImportInputError ? error.message : `cannot read: ${(error as Error).message}`;
        fail({ file, line: lineNumber, reason }, chunkFailures);
      }
      await deliver();
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
