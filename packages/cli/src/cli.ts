#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKENDS, type Backend } from './import/import-destinations';
import { type ImportSummary, runImport } from './import/run-import';

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError('expected a positive integer');
  return value;
}

function backends(text: string): Backend[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!(BACKENDS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`unknown backend "${name}" (expected ${BACKENDS.join(', ')})`);
    }
  }
  if (names.length === 0) throw new InvalidArgumentError('name at least one backend');
  return names as Backend[];
}

function printSummary(summary: ImportSummary, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
    return;
  }
  const lines: string[] = [];
  for (const [file, line] of Object.entries(summary.resumed)) {
    lines.push(`${file}: resumed after line ${line} (checkpoint)`);
  }
  if (summary.plan !== undefined) {
    const { threads, messages, users, from, to } = summary.plan;
    lines.push(
      `dry run: would send ${threads} threads, ${messages} messages, ${users} users${from === undefined ? '' : `, ${from} … ${to}`}`,
    );
  } else {
    lines.push(
      `imported ${summary.imported} conversations (${summary.messages} messages), skipped ${summary.skipped} already there, failed ${summary.failed}`,
    );
  }
  for (const failure of summary.failures) lines.push(`  ${failure.file}:${failure.line}: ${failure.reason}`);
  if (summary.failed > summary.failures.length) {
    lines.push(`  … and ${summary.failed - summary.failures.length} more (--errors FILE lists them all)`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}

const program = new Command()
  .name('chattrail')
  .description('Load the chat logs you already have into Mielto and Melodi.')
  .showHelpAfterError();

program
  .command('import')
  .description(
    'Import conversations from FILEs (- reads standard input). Destinations come from MIELTO_API_KEY, and MELODI_API_KEY + MELODI_PROJECT_ID (+ *_BASE_URL).',
  )
  .argument('<files...>', 'OpenAI chat JSONL files, one conversation per line; - for stdin')
  .addOption(
    new Option('--format <format>', 'input format').choices(['openai-jsonl']).default('openai-jsonl'),
  )
  .option('--to <backends>', 'only these backends, comma-separated (mielto,melodi)', backends)
  .option('--concurrency <n>', 'requests in flight per backend', positiveInteger, 8)
  .option(
    '--chunk-size <n>',
    'conversations acknowledged together before the checkpoint moves',
    positiveInteger,
    500,
  )
  .option(
    '--checkpoint <file>',
    'checkpoint file (default: <file>.chattrail-checkpoint.json beside the input)',
  )
  .option('--errors <file>', 'append one JSON line per bad conversation (file, line, reason)')
  .option('--dry-run', 'parse and validate, print what would be sent, send nothing')
  .option('--json', 'progress and summary as JSON lines on stdout')
  .option('--progress-interval <ms>', 'milliseconds between progress lines', positiveInteger, 5_000)
  .option('--debug', 'one debug line per delivery step (never keys)')
  .action(async (files: string[], flags) => {
    const summary = await runImport({
      files,
      format: flags.format,
      to: flags.to,
      concurrency: flags.concurrency,
      chunkSize: flags.chunkSize,
      checkpoint: flags.checkpoint,
      errors: flags.errors,
      dryRun: flags.dryRun === true,
      json: flags.json === true,
      progressIntervalMs: flags.progressInterval,
      debug: flags.debug === true,
    });
    if (summary.fatal !== undefined) {
      process.stderr.write(`chattrail import: ${summary.fatal}\n`);
      process.exitCode = 2;
      return;
    }
    printSummary(summary, flags.json === true);
    process.exitCode = summary.failed > 0 ? 1 : 0;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`chattrail: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
