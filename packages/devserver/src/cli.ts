#!/usr/bin/env node
import { parseArgs } from 'node:util';
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
  --melodi-replace    PUT /threads replaces a thread's messages instead of merging them by externalId
  --quiet             do not print one line per request
  -h, --help          show this help

Mielto:  <url>/api/v1        (conversations, messages, chat/completions)
Melodi:  <url>/api/external  (threads, feedback)
Viewer:  <url>/              read-back API under <url>/_devserver/
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
  process.stdout.write(
    `chattrail devserver listening on ${server.url}\n  viewer  ${server.url}/\n  mielto  ${server.mieltoBaseUrl}\n  melodi  ${server.melodiBaseUrl}\n`,
  );
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`chattrail-devserver: ${(err as Error).message}\n`);
  process.exit(1);
});
