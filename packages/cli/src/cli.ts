#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKENDS, type Backend } from './import/import-destinations';
import { type ImportSummary, runImport } from './import/run-import';
import { IMPORT_FORMATS } from './input/detect-input';

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

/**
 * The environment the import reads its destinations from, with the flags laid over it; or why not. Keys
 * come only from the environment or a key file, never from an argument, and are never echoed.
 */
function destinationEnv(
  flags: Record<string, string | undefined>,
): Record<string, string | undefined> | string {
  if (flags.mielto !== undefined || flags.melodi !== undefined) {
    return 'API keys are not taken as arguments (they would show in `ps` and your shell history): set MIELTO_API_KEY / MELODI_API_KEY, or use --mielto-key-file / --melodi-key-file';
  }
  const env: Record<string, string | undefined> = { ...process.env };
  const overrides: [string | undefined, string][] = [
    [flags.mieltoBaseUrl, 'MIELTO_BASE_URL'],
    [flags.mieltoWorkspaceId, 'MIELTO_WORKSPACE_ID'],
    [flags.melodiBaseUrl, 'MELODI_BASE_URL'],
    [flags.melodiProjectId, 'MELODI_PROJECT_ID'],
  ];
  for (const [value, name] of overrides) if (value !== undefined) env[name] = value;
  for (const [file, name] of [
    [flags.mieltoKeyFile, 'MIELTO_API_KEY'],
    [flags.melodiKeyFile, 'MELODI_API_KEY'],
  ] as const) {
    if (file === undefined) continue;
    try {
      env[name] = readFileSync(file, 'utf8').trim();
    } catch (error) {
      // The path and the error code only: the file's content is the key.
      return `cannot read the key file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    if (env[name] === '') return `the key file ${file} is empty`;
  }
  return env;
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
  .argument('<files...>', 'OpenAI chat JSONL, ChatGPT conversations.json or UIMessage files; - for stdin')
  .addOption(
    new Option('--format <format>', 'input format (auto: from the name and first bytes)')
      .choices(['auto', ...IMPORT_FORMATS])
      .default('auto'),
  )
  .option('--mielto-base-url <url>', 'Mielto API address (default: MIELTO_BASE_URL, else the public API)')
  .option('--mielto-workspace-id <id>', 'Mielto workspace (default: MIELTO_WORKSPACE_ID)')
  .option('--mielto-key-file <file>', 'read the Mielto API key from this file (default: MIELTO_API_KEY)')
  .option('--melodi-base-url <url>', 'Melodi API address (default: MELODI_BASE_URL, else the public API)')
  .option('--melodi-project-id <id>', 'Melodi project (default: MELODI_PROJECT_ID)')
  .option('--melodi-key-file <file>', 'read the Melodi API key from this file (default: MELODI_API_KEY)')
  // Keys on the command line end up in `ps` and the shell's history: these exist only to say so.
  .addOption(new Option('--mielto <key>').hideHelp())
  .addOption(new Option('--melodi <key>').hideHelp())
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
    const env = destinationEnv(flags);
    if (typeof env === 'string') {
      process.stderr.write(`chattrail import: ${env}\n`);
      process.exitCode = 2;
      return;
    }
    const summary = await runImport({
      files,
      env,
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
