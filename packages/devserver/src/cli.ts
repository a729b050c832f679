#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { devServerEnv, devServerUrl, shellExportLines } from './dev-server-env.js';
import { startDevServer } from './start-dev-server.js';

const HELP = `chattrail-devserver — a local Mielto + Melodi emulator with a viewer

Usage: chattrail-devserver [options]

Options:
  --port <n>          port to listen on (default 4477; 0 picks a free one)
  --host <addr>       interface to bind (default 127.0.0.1)
  --allowed-host <h>  also answer this Host name (repeatable; .example.com allows subdomains; 'all' turns
                      the check off). Only loopback names, the bound host and, bound to 0.0.0.0/::, IP
                      addresses are answered otherwise (other Hosts get a 403: DNS rebinding)
  --persist <file>    keep data in this JSON file across restarts
  --mielto-key <key>  accept only this Mielto key (repeatable; default: any non-empty key)
  --melodi-key <key>  accept only this Melodi key (repeatable; default: any non-empty key)
  --chunk-delay <ms>  pause between streamed completion chunks (default 0)
  --melodi-replace    PUT /threads replaces a thread's messages and metadata instead of merging them
  --quiet             do not print one line per request
  --print-env         print only the \`export …\` lines that point an app at the devserver on --host/--port
                      (with the first --mielto-key/--melodi-key) and exit once that server answers (or
                      after 10 s): no server is started. For eval "$(chattrail-devserver --print-env)" in
                      the app's shell, beside a server started with the same --port/--host
  -h, --help          show this help

Mielto:  <url>/api/v1        (conversations, messages, chat/completions)
Melodi:  <url>/api/external  (threads, feedback)
Viewer:  <url>/              read-back API under <url>/_devserver/

An app's createChatTrail() finds both through five variables, printed at start-up and by --print-env:
  MIELTO_API_KEY, MIELTO_BASE_URL=<url>/api/v1, MELODI_API_KEY, MELODI_PROJECT_ID, MELODI_BASE_URL=<url>/api/external
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4477' },
      host: { type: 'string', default: '127.0.0.1' },
      'allowed-host': { type: 'string', multiple: true },
      persist: { type: 'string' },
      'mielto-key': { type: 'string', multiple: true },
      'melodi-key': { type: 'string', multiple: true },
      'chunk-delay': { type: 'string' },
      'melodi-replace': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'print-env': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got ${values.port}`);
  const envOptions = { mieltoApiKey: values['mielto-key']?.[0], melodiApiKey: values['melodi-key']?.[0] };
  if (values['print-env']) {
    // Only the lines on stdout, and the process ends: `$(…)` returns when its command exits.
    if (port === 0) throw new Error('--print-env needs the fixed --port the devserver listens on, not 0');
    const url = devServerUrl(values.host, port);
    process.stdout.write(shellExportLines(devServerEnv(url, envOptions)));
    await waitForServer(url);
    return;
  }
  const server = await startDevServer({
    port,
    host: values.host,
    allowedHosts: values['allowed-host']?.includes('all') ? 'all' : values['allowed-host'],
    persistPath: values.persist,
    apiKeys: { mielto: values['mielto-key'], melodi: values['melodi-key'] },
    completionChunkDelayMs: values['chunk-delay'] === undefined ? undefined : Number(values['chunk-delay']),
    melodiThreadMessages: values['melodi-replace'] ? 'replace' : 'merge',
    onRequestLogged: values.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
  });
  // Before the banner: whoever waits for the banner may stop the server right after reading it.
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const printEnv = [
    'chattrail-devserver --print-env',
    values.port === '4477' ? '' : ` --port ${server.port}`,
    values.host === '127.0.0.1' ? '' : ` --host ${values.host}`,
  ].join('');
  process.stdout.write(
    `chattrail devserver listening on ${server.url}\n  viewer  ${server.url}/\n  mielto  ${server.mieltoBaseUrl}\n  melodi  ${server.melodiBaseUrl}\n\n` +
      `Point an app at it: run these in the app's shell (or: eval "$(npx ${printEnv})")\n` +
      shellExportLines(devServerEnv(server.url, envOptions)) +
      '\n',
  );
}

/**
 * Waits (up to 10 s) for a server at `url`, so `chattrail-devserver & eval "$(chattrail-devserver --print-env)"`
 * hands the app a server that is up; if none answers, a note on stderr (never in what `eval` runs).
 */
async function waitForServer(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  do {
    try {
      const response = await fetch(`${url}/_devserver/health`, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not up (yet)
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < deadline);
  process.stderr.write(
    `chattrail-devserver: nothing answers at ${url} yet; start it with: npx chattrail-devserver --port ${new URL(url).port}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`chattrail-devserver: ${(err as Error).message}\n`);
  process.exit(1);
});
