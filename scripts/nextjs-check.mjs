// Checks @chattrail/core inside a real Next.js app (issue 27: "it must work ... when an app is bundled
// (esbuild, webpack, Next.js)"). Not part of `npm test`: installing Next and React and two production
// builds take a minute or two (see the closing line). Run it after changing how the trail starts its worker:
//   bash scripts/dev.sh node scripts/nextjs-check.mjs [--keep]
//
//   1. packs the built @chattrail/core (`npm pack`, so only what `files` ships) and starts the workspace's
//      devserver (port 0);
//   2. in a fresh temp app installs, with the system node's npm and the machine's registry, next@16.4.6,
//      react, react-dom, typescript and the tarball — no undici, so the worker falls back to fetch;
//   3. writes two route handlers that record a turn with createChatTrail() and flush: app/api/chat (the
//      default nodejs runtime) and app/api/edge (`runtime = 'edge'`);
//   4. for each of Next's bundlers, `next build` (Turbopack) and `next build --webpack`, starts `next start`
//      on a free port (system node), POSTs to both routes and checks that each turn reached Mielto and Melodi
//      on the devserver, that the nodejs route delivered from a worker thread and the edge route inline.
// Prints one line per step, exits 1 on any failure, and stops its servers and removes its temp dir.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import { startServer } from './start-server.mjs';
import { StepError, tail } from './step-error.mjs';
import { systemNode } from './system-node.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const NEXT = 'next@16.4.6';
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (line) => console.log(`nextjs-check: ${line}`);

const children = new Set();
function run(cmd, args, options) {
  return new Promise((done) => {
    const child = execFile(
      cmd,
      args,
      { maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL', ...options },
      (error, stdout, stderr) => {
        children.delete(child);
        done({ code: error ? (error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
    children.add(child);
  });
}

function stop(child) {
  children.delete(child);
  try {
    child.kill('SIGKILL');
  } catch {}
}

const ROUTE = (
  runtime,
) => `${runtime ? `export const runtime = '${runtime}';\n` : ''}import { createChatTrail } from '@chattrail/core';

// One trail per server process; MIELTO_* and MELODI_* from the environment: the devserver.
const trail = createChatTrail({ debug: true });

export async function POST(request: Request): Promise<Response> {
  const { marker } = (await request.json()) as { marker: string };
  const at = new Date().toISOString();
  trail.record({ id: 'turn-1', threadId: marker, startedAt: at, endedAt: at, status: 'ok', source: 'manual',
    messages: [{ id: '', role: 'user', content: marker }, { id: '', role: 'assistant', content: 'pong' }] });
  const { ok } = await trail.flush();
  return Response.json({ ok, stats: trail.stats() });
}
`;

async function main() {
  const sys = systemNode();
  if (!existsSync(join(root, 'packages', 'core', 'dist')))
    throw new StepError('core is not built (pnpm turbo run build)');
  const tmp = mkdtempSync(join(tmpdir(), 'chattrail-nextjs-'));
  tmpDir = tmp;
  const env = {
    ...process.env,
    PATH: [dirname(sys.node), ...(process.env.PATH ?? '').split(delimiter)].join(delimiter),
    NEXT_TELEMETRY_DISABLED: '1',
  };
  for (const key of Object.keys(env)) if (/^(npm|pnpm)_config_/i.test(key)) delete env[key];
  const [npm, ...npmArgs] = sys.npm;

  let t = Date.now();
  const packed = await run(npm, [...npmArgs, 'pack', '--pack-destination', tmp, '--loglevel=error'], {
    cwd: join(root, 'packages', 'core'),
    env,
  });
  const tarball = readdirSync(tmp).find((file) => file.endsWith('.tgz'));
  if (packed.code !== 0 || tarball === undefined)
    throw new StepError(`npm pack failed:\n${tail(packed.output)}`);
  const devserver = await startServer(
    children,
    'devserver',
    process.execPath,
    [join(root, 'packages', 'devserver', 'dist', 'cli.js'), '--port', '0', '--quiet'],
    {
      ready: /(http:\/\/127\.0\.0\.1:\d+)[/\s]/,
      readyOn: 'both',
      env,
    },
  );
  const url = devserver.match[1];
  say(`pack        ok  ${tarball}; devserver on ${url} (${seconds(t)})`);

  t = Date.now();
  const app = join(tmp, 'app');
  mkdirSync(join(app, 'app', 'api', 'chat'), { recursive: true });
  mkdirSync(join(app, 'app', 'api', 'edge'), { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'chattrail-nextjs-check', private: true }, null, 2)}\n`,
  );
  writeFileSync(
    join(app, 'app', 'layout.tsx'),
    'export default function RootLayout({ children }: { children: React.ReactNode }) {\n  return <html lang="en"><body>{children}</body></html>;\n}\n',
  );
  writeFileSync(join(app, 'app', 'api', 'chat', 'route.ts'), ROUTE());
  writeFileSync(join(app, 'app', 'api', 'edge', 'route.ts'), ROUTE('edge'));
  const specs = [
    NEXT,
    'react@19',
    'react-dom@19',
    'typescript@5',
    '@types/react@19',
    '@types/node@20',
    join(tmp, tarball),
  ];
  const installed = await run(
    npm,
    [...npmArgs, 'install', '--no-audit', '--no-fund', '--loglevel=error', ...specs],
    { cwd: app, env, timeout: 300_000 },
  );
  if (installed.code !== 0)
    throw new StepError(`npm install failed (${installed.code}):\n${tail(installed.output)}`);
  if (existsSync(join(app, 'node_modules', 'undici')))
    throw new StepError('undici got installed: the check wants the fetch fallback');
  say(
    `install     ok  ${NEXT}, react 19 and the packed core on node v${sys.version}'s npm, no undici (${seconds(t)})`,
  );

  const next = join(app, 'node_modules', 'next', 'dist', 'bin', 'next');
  const appEnv = {
    ...env,
    MIELTO_API_KEY: 'nextjs-check-mielto-key',
    MIELTO_BASE_URL: `${url}/api/v1`,
    MELODI_API_KEY: 'nextjs-check-melodi-key',
    MELODI_PROJECT_ID: '1',
    MELODI_BASE_URL: `${url}/api/external`,
  };
  for (const [bundler, flags] of [
    ['turbopack', []],
    ['webpack', ['--webpack']],
  ]) {
    t = Date.now();
    // Built without the backends' variables, as a CI build would be: the trail must not need them then.
    const built = await run(sys.node, [next, 'build', ...flags], { cwd: app, env, timeout: 300_000 });
    if (built.code !== 0)
      throw new StepError(`next build ${flags.join(' ')} failed (${built.code}):\n${tail(built.output, 40)}`);
    say(`${`build-${bundler}`.padEnd(16)}ok  ${['next build', ...flags].join(' ')} (${seconds(t)})`);

    t = Date.now();
    const port = await freePort();
    const server = await startServer(
      children,
      'next start',
      sys.node,
      [next, 'start', '-p', String(port), '-H', '127.0.0.1'],
      {
        ready: /Ready in/,
        readyOn: 'both',
        cwd: app,
        env: appEnv,
      },
    );
    try {
      for (const [route, expected] of [
        ['chat', 'worker'],
        ['edge', 'inline'],
      ]) {
        const marker = `nextjs-${bundler}-${route}-${randomBytes(4).toString('hex')}`;
        const before = server.output().length;
        const response = await fetch(`http://127.0.0.1:${port}/api/${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ marker }),
          signal: AbortSignal.timeout(60_000),
        });
        const body = await response.json().catch(() => ({}));
        const log = () => server.output().slice(before);
        if (!response.ok || body.ok !== true || !(body.stats?.sent > 0))
          throw new StepError(
            `/api/${route} answered ${response.status} ${JSON.stringify(body)}:\n${tail(log())}`,
          );
        for (const path of ['/_devserver/mielto/conversations', '/_devserver/melodi/threads']) {
          if (!(await (await fetch(`${url}${path}`)).text()).includes(marker))
            throw new StepError(`/api/${route}: the turn is not in ${path}:\n${tail(log())}`);
        }
        // The trail's debug line is written when the route's module loads (its first request); stdout may lag.
        for (let i = 0; i < 100 && !/trail created/.test(log()); i++) await sleep(50);
        const line = /\[chattrail\] trail created[^\n]*/.exec(log())?.[0] ?? '(no "trail created" line)';
        const how = line.includes('delivering from a worker thread') ? 'worker' : 'inline';
        if (how !== expected)
          throw new StepError(`/api/${route} delivered ${how}, not ${expected}: ${line}\n${tail(log())}`);
        const transport = /sending through ([^\n(]*[^\s(])/.exec(log())?.[1];
        say(
          `${`${bundler}-${route}`.padEnd(16)}ok  delivered to Mielto and Melodi ${how === 'worker' ? `from a worker thread (${transport})` : 'inline (edge runtime)'}`,
        );
      }
    } finally {
      stop(server.child);
    }
    say(`${`start-${bundler}`.padEnd(16)}ok  next start, both routes (${seconds(t)})`);
  }
}

let tmpDir;
/** Stops the servers and removes the temp dir (--keep keeps it). */
function cleanup() {
  for (const child of [...children]) stop(child);
  if (tmpDir === undefined) return;
  if (process.argv.includes('--keep')) say(`kept ${tmpDir}`);
  else rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanup();
    process.exit(1);
  });
}

try {
  await main();
  say(`ok: Next.js builds and runs the trail (${seconds(started)})`);
} catch (error) {
  say(`FAILED after ${seconds(started)}:\n${error instanceof StepError ? error.message : error?.stack}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
