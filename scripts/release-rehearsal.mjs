// Rehearses a release end to end against a throwaway npm registry, so that what `pnpm release` would put on
// npmjs.org is proven installable and working before it is:
//   1. starts Verdaccio (a root devDependency) on 127.0.0.1, on a free port, with its config, htpasswd and
//      storage in a temp dir; @chattrail/* is local only, everything else is proxied to the machine's
//      registry (`npm config get registry`), and a test user is created through the registry's adduser API;
//   2. publishes every public package with the command release.yml runs, `changeset publish`, its npmrc and
//      registry pointed at Verdaccio (packages must be built first: dev.sh runs turbo build before this);
//   3. checks what the registry now holds: every public package at its package.json version, and no
//      `workspace:` range left in the published manifests;
//   4. in fresh directories configured with only that registry (a temp userconfig + globalconfig + cache, no
//      workspace), installs with the system Node 20's npm what a user would: `@chattrail/devserver`;
//      `@chattrail/ai-sdk @chattrail/core ai@6`; `@chattrail/langchain @chattrail/core @langchain/core`;
//      `@chattrail/express @chattrail/core express`; `@chattrail/cli`; `@chattrail/core`; `@chattrail/redis @chattrail/core redis`;
//   5. starts the installed devserver (its bin, port 0) and runs one ~10-line app per adapter on the system
//      Node 20 that delivers a turn to it from the environment (MIELTO_*, MELODI_*), and the CLI's bin on a
//      one-conversation JSONL file (`chattrail import`), and a trail with `redisStore()` on a redis-server
//      started here (Debian's; the step says so and is skipped when none is installed), then reads each turn back
//      from both emulated backends (/_devserver/mielto/conversations and /_devserver/melodi/threads);
//      and `@chattrail/core` alone delivering from its worker thread as an ESM app, a CommonJS app, an
//      esbuild bundle and a webpack 5 bundle (`target: 'node'`, production; both run from a directory with no
//      node_modules at or above it).
//
// Deliberate differences from release.yml, and why:
//   - `changeset publish --no-git-tag`: a rehearsal must not leave `@chattrail/core@x.y.z` tags in the
//     developer's repo (in CI the changesets action pushes them).
//   - provenance is off (NPM_CONFIG_PROVENANCE and every other npm/pnpm setting inherited from the
//     environment are dropped, then npm_config_provenance=false). release.yml sets NPM_CONFIG_PROVENANCE=true;
//     pnpm 12 then signs with sigstore using the GitHub Actions OIDC id-token, which only exists in that job.
//     Off CI pnpm skips it silently (checked: a publish to Verdaccio with provenance=true succeeds, without an
//     attestation), so the rehearsal cannot prove that step; turning it off keeps a run inside some other
//     Actions job from signing a statement for a throwaway registry. A package's publishConfig.provenance
//     would override this, so the rehearsal refuses one (none has it; keep provenance in release.yml's env).
//   - credentials: NPM_TOKEN/NODE_AUTH_TOKEN are dropped too, and the only token written is the test user's,
//     scoped to the local registry's host:port, so nothing here can publish to a real registry.
//   - ai@6, not ai 7: the packages promise Node >=20 and ai 7 declares Node >=22.
//
// Prints one line per step, exits 1 on any failure, and on every exit path stops Verdaccio and the devserver
// and removes its temp dir (--keep keeps the dir for a post-mortem).
// usage: node scripts/release-rehearsal.mjs [--keep] [--root <repo>]   (or CHATTRAIL_REPO_ROOT=<repo>)
//        system node: $CHATTRAIL_SYSTEM_NODE (dev.sh sets it), else /usr/bin/node
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import { publicPackages } from './public-packages.mjs';
import { startServer } from './start-server.mjs';
import { StepError, tail } from './step-error.mjs';
import { systemNode } from './system-node.mjs';

const scriptRepo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const rootArg = process.argv.indexOf('--root');
const root = resolve(
  rootArg > 0 ? process.argv[rootArg + 1] : (process.env.CHATTRAIL_REPO_ROOT ?? scriptRepo),
);
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (line) => console.log(`release-rehearsal: ${line}`);

// ── child processes ────────────────────────────────────────────────────────────────────────────────────

const children = new Set();

/** Runs a command to completion; resolves with its exit code and output, never rejects. */
function run(cmd, args, { timeoutMs, ...options }) {
  return new Promise((done) => {
    const child = execFile(
      cmd,
      args,
      { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL', ...options },
      (error, stdout, stderr) => {
        children.delete(child);
        const code = error ? (typeof error.code === 'number' ? error.code : error.killed ? 'timeout' : 1) : 0;
        done({
          code,
          stdout: String(stdout),
          stderr: String(stderr) || (error && code !== 1 ? error.message : ''),
        });
      },
    );
    children.add(child);
  });
}

function stopChildren() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
  children.clear();
}

const indent = (text) => text.replace(/^/gm, '    ');

// ── environment ────────────────────────────────────────────────────────────────────────────────────────

/** The inherited environment minus every npm/pnpm setting (registry, userconfig, provenance, tokens). */
function cleanEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm)_config_/i.test(key) || /^(NPM_TOKEN|NODE_AUTH_TOKEN)$/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', NPM_CONFIG_UPDATE_NOTIFIER: 'false' };
}

/**
 * A setting of the machine's npm configuration (npmrc files and environment), or undefined. Asked of the
 * system node's npm run by that node: run by the toolchain's node, npm takes that node's folder as its
 * prefix and misses the global npmrc (where this machine keeps its `cafile`).
 */
function npmConfig(name) {
  try {
    const { npm } = systemNode();
    const value = execFileSync(npm[0], [...npm.slice(1), 'config', 'get', name], {
      encoding: 'utf8',
      timeout: 30_000,
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return value === '' || value === 'null' || value === 'undefined' ? undefined : value;
  } catch {
    return undefined;
  }
}

function upstreamRegistry() {
  const url = npmConfig('registry');
  return url !== undefined && /^https?:\/\//.test(url) ? url : 'https://registry.npmjs.org/';
}

/**
 * What Verdaccio needs to reach the upstream registry the way npm does here. A machine whose network
 * re-signs TLS names its CA in npm's `cafile` (a global npmrc), which npm reads but Node does not: without
 * NODE_EXTRA_CA_CERTS the uplink fails every request and the installs see packages with no versions
 * (seen on a fresh clone run with `env -i`, where the variable is not inherited).
 */
function upstreamEnv() {
  const env = cleanEnv();
  const cafile = npmConfig('cafile');
  if (env.NODE_EXTRA_CA_CERTS === undefined && cafile !== undefined && existsSync(cafile)) {
    env.NODE_EXTRA_CA_CERTS = cafile;
  }
  return env;
}

/** npm's proxy settings, as Verdaccio uplink options (YAML lines), when the machine has them. */
function upstreamProxyLines() {
  const lines = [];
  const httpsProxy = npmConfig('https-proxy');
  const httpProxy = npmConfig('proxy');
  const noProxy = npmConfig('noproxy');
  if (httpsProxy !== undefined) lines.push(`    https_proxy: ${JSON.stringify(httpsProxy)}`);
  if (httpProxy !== undefined) lines.push(`    http_proxy: ${JSON.stringify(httpProxy)}`);
  if (noProxy !== undefined) lines.push(`    no_proxy: ${JSON.stringify(noProxy)}`);
  return lines.map((line) => `${line}\n`).join('');
}

// ── the steps ──────────────────────────────────────────────────────────────────────────────────────────

async function startRegistry(tmp) {
  const dir = join(tmp, 'verdaccio');
  mkdirSync(join(dir, 'storage'), { recursive: true });
  writeFileSync(join(dir, 'htpasswd'), '');
  const upstream = upstreamRegistry();
  const config = `# written by scripts/release-rehearsal.mjs
storage: ${JSON.stringify(join(dir, 'storage'))}
auth:
  htpasswd:
    file: ${JSON.stringify(join(dir, 'htpasswd'))}
    max_users: 10
uplinks:
  upstream:
    url: ${JSON.stringify(upstream)}
    timeout: 120s
    max_fails: 5
${upstreamProxyLines()}packages:
  # Ours are never fetched from upstream: the rehearsal must install what it just published.
  '@chattrail/*':
    access: $all
    publish: $authenticated
  '**':
    access: $all
    publish: $authenticated
    proxy: upstream
server:
  keepAliveTimeout: 60
web:
  enable: false
log: { type: stdout, format: pretty, level: warn }
`;
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, config);
  // runServer gives an unstarted http.Server, so port 0 works and the child reports the port it got.
  const launcher = join(dir, 'launch.cjs');
  writeFileSync(
    launcher,
    `const { runServer } = require(${JSON.stringify(join(scriptRepo, 'node_modules', 'verdaccio'))});
runServer(${JSON.stringify(configPath)}).then((app) => {
  app.listen(0, '127.0.0.1', () => console.log('rehearsal-registry-port=' + app.address().port));
}, (error) => { console.error(error); process.exit(1); });
`,
  );
  const { match, output } = await startServer(children, 'verdaccio', process.execPath, [launcher], {
    ready: /rehearsal-registry-port=(\d+)\n/,
    timeoutMs: 60_000,
    cwd: dir,
    env: upstreamEnv(),
  });
  const url = `http://127.0.0.1:${match[1]}/`;

  // A test user through the adduser API (what `npm adduser` calls); its token goes into the publish npmrc.
  const user = 'rehearsal';
  const response = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: user,
      password: randomBytes(12).toString('hex'),
      email: 'rehearsal@example.invalid',
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.token !== 'string') {
    throw new StepError(
      `adduser on ${url} answered ${response.status}: ${JSON.stringify(body)}\n${tail(output())}`,
    );
  }
  const hostPath = url.replace(/^https?:/, '');
  const publishRc = join(tmp, 'publish.npmrc');
  writeFileSync(publishRc, `registry=${url}\n${hostPath}:_authToken=${body.token}\n`);
  const installRc = join(tmp, 'install.npmrc');
  writeFileSync(installRc, `registry=${url}\nfund=false\naudit=false\nupdate-notifier=false\n`);
  writeFileSync(join(tmp, 'empty.npmrc'), '');
  return { url, upstream, publishRc, installRc, output };
}

async function publish(registry, tmp, packages) {
  const withProvenance = packages.filter((p) => p.manifest.publishConfig?.provenance);
  if (withProvenance.length) {
    throw new StepError(
      `publishConfig.provenance is set in ${withProvenance.map((p) => p.manifest.name).join(', ')}: it would ` +
        "override the rehearsal's provenance=false; keep NPM_CONFIG_PROVENANCE in release.yml's env instead",
    );
  }
  const env = {
    ...cleanEnv(),
    // changesets shells out to pnpm (pnpm info, then pnpm publish per package), which reads npm_config_*.
    npm_config_userconfig: registry.publishRc,
    npm_config_globalconfig: join(tmp, 'empty.npmrc'),
    npm_config_registry: registry.url,
    npm_config_provenance: 'false',
    npm_config_cache: join(tmp, 'npm-cache'),
  };
  const changeset = join(scriptRepo, 'node_modules', '.bin', 'changeset');
  const result = await run(changeset, ['publish', '--no-git-tag'], { cwd: root, env, timeoutMs: 180_000 });
  if (result.code !== 0) {
    throw new StepError(
      `changeset publish exited ${result.code}:\n${tail(result.stderr + result.stdout, 40)}`,
    );
  }

  // What a user's npm will see: each package at its version, with internal ranges rewritten.
  const problems = [];
  const published = [];
  const ranges = [];
  for (const { manifest } of packages) {
    const response = await fetch(`${registry.url}${manifest.name.replace('/', '%2f')}`);
    const doc = response.ok ? await response.json() : null;
    const version = doc?.versions?.[manifest.version];
    if (!version) {
      problems.push(`${manifest.name}@${manifest.version} is not on the registry (${response.status})`);
      continue;
    }
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [dep, range] of Object.entries(version[field] ?? {})) {
        if (String(range).startsWith('workspace:'))
          problems.push(`${manifest.name}: ${field}.${dep} is "${range}"`);
      }
    }
    published.push(`${manifest.name}@${manifest.version}`);
    for (const [dep, range] of Object.entries(version.dependencies ?? {})) {
      if (dep.startsWith('@chattrail/')) ranges.push(`${manifest.name} → ${dep} ${range}`);
    }
  }
  if (problems.length) throw new StepError(`published, but:\n${problems.join('\n')}\n${tail(result.stdout)}`);
  return { published, ranges };
}

/** `npm install <specs>` with the system node's npm, in a fresh dir that only knows the rehearsal registry. */
async function install(name, specs, { tmp, registry, sys }) {
  const dir = join(tmp, 'apps', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `rehearsal-${name}`, private: true, type: 'module' }, null, 2)}\n`,
  );
  const env = {
    ...cleanEnv(),
    // Lifecycle scripts and `node` in bins resolve to the system node too.
    PATH: [dirname(sys.node), ...(process.env.PATH ?? '').split(delimiter)].join(delimiter),
    npm_config_userconfig: registry.installRc,
    npm_config_globalconfig: join(tmp, 'empty.npmrc'),
    npm_config_cache: join(tmp, 'npm-cache'),
  };
  const [cmd, ...npmArgs] = sys.npm;
  const args = [...npmArgs, 'install', '--no-audit', '--no-fund', '--loglevel=error', ...specs];
  const result = await run(cmd, args, { cwd: dir, env, timeoutMs: 240_000 });
  if (result.code !== 0) {
    throw new StepError(
      `npm install ${specs.join(' ')} exited ${result.code}:\n${tail(result.stderr + result.stdout)}`,
    );
  }
  return { dir, env };
}

/**
 * What `files` must have carried: the README, the CHANGELOG once `changeset version` has written one, and
 * every file the manifest points at (exports, main, types, bin).
 */
function missingFiles(appDir, sourceDir, name) {
  const installed = join(appDir, 'node_modules', name);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  const wanted = new Set(['README.md']);
  if (existsSync(join(sourceDir, 'CHANGELOG.md'))) wanted.add('CHANGELOG.md');
  const collect = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./')) wanted.add(value.slice(2));
    } else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect([manifest.exports, manifest.main, manifest.module, manifest.types, manifest.bin]);
  return [...wanted]
    .filter((file) => !existsSync(join(installed, file)))
    .map((file) => `${name}: the installed package has no ${file}`);
}

function installedVersion(dir, name) {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

// One app per adapter: the whole integration a user writes, against the environment's backends. Each prints
// the trail's shutdown report and exits 1 unless every queued turn was delivered.
const APPS = {
  'ai-sdk': `import { chatTrailMiddleware } from '@chattrail/ai-sdk';
import { createChatTrail } from '@chattrail/core';
import { generateText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test'; // ai 6 speaks LanguageModelV3

const trail = createChatTrail(); // MIELTO_* and MELODI_* from the environment: the devserver
const answer = { content: [{ type: 'text', text: 'pong' }], finishReason: { unified: 'stop', raw: 'stop' }, warnings: [],
  usage: { inputTokens: { total: 3, noCache: 3 }, outputTokens: { total: 1, text: 1 } } };
const model = wrapLanguageModel({ model: new MockLanguageModelV3({ doGenerate: answer }), middleware: chatTrailMiddleware({ trail }) });
await generateText({ model, prompt: process.env.MARKER, providerOptions: { chattrail: { threadId: process.env.MARKER } } });
const report = await trail.shutdown();
console.log(JSON.stringify({ report, stats: trail.stats() }));
process.exitCode = report.ok && trail.stats().sent > 0 ? 0 : 1;
`,
  langchain: `import { createChatTrail } from '@chattrail/core';
import { ChatTrailCallbackHandler } from '@chattrail/langchain';
import { FakeListChatModel } from '@langchain/core/utils/testing';

const trail = createChatTrail(); // MIELTO_* and MELODI_* from the environment: the devserver
const handler = new ChatTrailCallbackHandler({ trail, threadId: process.env.MARKER });
const model = new FakeListChatModel({ responses: ['pong'] });
await model.invoke([['human', process.env.MARKER]], { callbacks: [handler] });
const report = await trail.shutdown();
console.log(JSON.stringify({ report, stats: trail.stats() }));
process.exitCode = report.ok && trail.stats().sent > 0 ? 0 : 1;
`,
  express: `import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createChatTrail } from '@chattrail/core';
import { chatTrail } from '@chattrail/express';
import express from 'express';

const trail = createChatTrail(); // MIELTO_* and MELODI_* from the environment: the devserver
const app = express();
app.post('/api/chat', express.json(), chatTrail({ trail }), (req, res) => res.json({ id: 'chatcmpl-1', object: 'chat.completion',
  created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }] }));
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const res = await fetch(\`http://127.0.0.1:\${server.address().port}/api/chat\`, { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'm', user: process.env.MARKER, messages: [{ role: 'user', content: process.env.MARKER }] }) });
await res.json();
// The turn is recorded when the response has ended on the server side; wait for that (bounded), then flush.
for (let i = 0; trail.stats().recorded === 0 && i < 600; i++) await sleep(50);
server.close();
const report = await trail.shutdown();
console.log(JSON.stringify({ report, stats: trail.stats() }));
process.exitCode = report.ok && trail.stats().sent > 0 ? 0 : 1;
`,
  // A trail with the shared store: the turn is delivered, and Redis knows the thread's conversation.
  redis: `import { createChatTrail } from '@chattrail/core';
import { redisStore } from '@chattrail/redis';

const store = redisStore({ url: process.env.REDIS_URL }, { prefix: process.env.MARKER, ttlSeconds: 600 });
const trail = createChatTrail({ store }); // MIELTO_* and MELODI_* from the environment: the devserver
const at = new Date().toISOString();
trail.record({ id: 'turn-1', threadId: process.env.MARKER, startedAt: at, endedAt: at, status: 'ok', source: 'manual',
  messages: [{ id: '', role: 'user', content: process.env.MARKER }, { id: '', role: 'assistant', content: 'pong' }] });
const report = await trail.shutdown();
const shared = await store.sync('mielto', [{ threadId: process.env.MARKER, entries: [] }]);
await store.close();
console.log(JSON.stringify({ report, stats: trail.stats(), conversation: shared.threads[0].value }));
process.exitCode = report.ok && trail.stats().sent > 0 && shared.threads[0].value ? 0 : 1;
`,
  // The CLI as a user runs it after `npm install @chattrail/cli`: its bin on a one-conversation JSONL file.
  cli: `import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = join('node_modules', '@chattrail', 'cli');
const bin = join(pkg, JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).bin.chattrail);
writeFileSync('chats.jsonl', JSON.stringify({ thread_id: process.env.MARKER,
  messages: [{ role: 'user', content: process.env.MARKER }, { role: 'assistant', content: 'pong' }] }) + '\\n');
// MIELTO_* and MELODI_* from the environment: the devserver. Exits non-zero when anything failed.
console.log(execFileSync(process.execPath, [bin, 'import', 'chats.jsonl', '--json'], { encoding: 'utf8' }));
`,
};

// The core alone, delivering from its worker thread (`delivery: 'worker'`), as an ESM app, a CommonJS app,
// and an esbuild and a webpack bundle of the ESM app, each run from a directory outside the app (no
// node_modules there or above it): the worker is embedded in the package as a string, so no file has to be
// found. Each prints the trail's debug lines, which must say it delivered from a worker thread.
const WORKER_TURN = `{ id: 'turn-1', threadId: process.env.MARKER, startedAt: new Date().toISOString(), endedAt: new Date().toISOString(),
  status: 'ok', source: 'manual', messages: [{ role: 'user', content: process.env.MARKER }, { role: 'assistant', content: 'pong' }] }`;
const WORKER_APP = (load) => `${load}
const main = async () => {
  const trail = createChatTrail({ delivery: 'worker', debug: true }); // MIELTO_* and MELODI_*: the devserver
  trail.record(${WORKER_TURN});
  const report = await trail.shutdown();
  console.log(JSON.stringify({ report, stats: trail.stats() }));
  process.exitCode = report.ok && trail.stats().sent > 0 ? 0 : 1;
};
main();
`;
const CORE_APPS = {
  'core-esm': { file: 'app.mjs', source: WORKER_APP("import { createChatTrail } from '@chattrail/core';") },
  'core-cjs': {
    file: 'app.cjs',
    source: WORKER_APP("const { createChatTrail } = require('@chattrail/core');"),
  },
  'core-esbuild': {
    file: 'app.mjs',
    source: WORKER_APP("import { createChatTrail } from '@chattrail/core';"),
    bundle: 'esbuild',
  },
  'core-webpack': {
    file: 'app.mjs',
    source: WORKER_APP("import { createChatTrail } from '@chattrail/core';"),
    bundle: 'webpack',
  },
};
for (const [name, app] of Object.entries(CORE_APPS)) APPS[name] = app;

/** The workspace's esbuild (a root devDependency), as an app's build would run it. */
async function esbuildBundle(entry, outdir, file) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: join(outdir, file),
    logLevel: 'error',
  });
}

/**
 * The workspace's webpack 5 (a root devDependency) through its Node API, as an app's production build for
 * Node would run it. Any error or warning fails the step: an app's build would show it to the user.
 */
async function webpackBundle(entry, outdir, file) {
  const { default: webpack } = await import('webpack');
  const compiler = webpack({
    mode: 'production',
    target: 'node',
    context: dirname(entry),
    entry,
    output: { path: outdir, filename: file },
    stats: 'errors-warnings',
  });
  const stats = await new Promise((done, fail) =>
    compiler.run((error, result) => compiler.close(() => (error ? fail(error) : done(result)))),
  );
  if (stats.hasErrors() || stats.hasWarnings()) {
    throw new StepError(
      `webpack reported:\n${tail(stats.toString({ colors: false, preset: 'errors-warnings' }))}`,
    );
  }
}

/** Runs one app on the system node, then reads its turn back from both emulated backends. */
async function deliver(name, { installed, devserver, sys, redisUrl }) {
  const marker = `rehearsal-${name}-${randomBytes(4).toString('hex')}`;
  const app = typeof APPS[name] === 'string' ? { file: 'app.mjs', source: APPS[name] } : APPS[name];
  let cwd = installed.dir;
  let file = app.file;
  writeFileSync(join(installed.dir, app.file), app.source);
  if (app.bundle) {
    // Run from outside the app: nothing the bundle left out can be found in a node_modules there or above.
    cwd = join(dirname(dirname(installed.dir)), 'bundled', name);
    mkdirSync(cwd, { recursive: true });
    file = app.bundle === 'webpack' ? 'bundle.cjs' : 'bundle.mjs';
    const entry = join(installed.dir, app.file);
    if (app.bundle === 'webpack') await webpackBundle(entry, cwd, file);
    else await esbuildBundle(entry, cwd, file);
  }
  const env = {
    ...installed.env,
    ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
    MARKER: marker,
    MIELTO_API_KEY: 'rehearsal-mielto-key',
    MIELTO_BASE_URL: `${devserver.url}/api/v1`,
    MELODI_API_KEY: 'rehearsal-melodi-key',
    MELODI_PROJECT_ID: '1',
    MELODI_BASE_URL: `${devserver.url}/api/external`,
  };
  const result = await run(sys.node, [file], { cwd, env, timeoutMs: 90_000 });
  if (result.code !== 0)
    throw new StepError(`${file} exited ${result.code}:\n${tail(result.stderr + result.stdout)}`);
  if (name.startsWith('core-') && !result.stdout.includes('delivering from a worker thread')) {
    throw new StepError(`${file} did not deliver from a worker thread:\n${tail(result.stdout)}`);
  }

  // shutdown() resolved with everything delivered, so both backends hold the turn now.
  const held = async (path) => {
    const response = await fetch(`${devserver.url}${path}`);
    return response.ok && (await response.text()).includes(marker);
  };
  const [inMielto, inMelodi] = await Promise.all([
    held('/_devserver/mielto/conversations'),
    held('/_devserver/melodi/threads'),
  ]);
  if (!inMielto || !inMelodi) {
    const missing = [!inMielto && 'Mielto', !inMelodi && 'Melodi'].filter(Boolean).join(' and ');
    throw new StepError(
      `the turn (${marker}) is missing from ${missing} on the devserver; app said:\n${tail(result.stdout)}`,
    );
  }
}

let tmpDir;

/** Stops Verdaccio and the devserver and removes the temp dir; safe to call more than once. */
function cleanup() {
  stopChildren();
  if (tmpDir === undefined) return;
  if (process.argv.includes('--keep')) say(`kept ${tmpDir}`);
  else rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
}

// ── main ───────────────────────────────────────────────────────────────────────────────────────────────

async function main() {
  const packages = publicPackages(root);
  const unbuilt = packages.filter((p) => !existsSync(join(p.dir, 'dist')));
  if (packages.length === 0) throw new StepError(`no public packages under ${join(root, 'packages')}`);
  if (unbuilt.length) {
    throw new StepError(
      `not built: ${unbuilt.map((p) => relative(root, p.dir)).join(', ')} (pnpm turbo run build)`,
    );
  }
  const byName = new Map(packages.map((p) => [p.manifest.name, p.manifest]));
  const byDir = new Map(packages.map((p) => [p.manifest.name, p.dir]));
  for (const name of [
    '@chattrail/core',
    '@chattrail/devserver',
    '@chattrail/ai-sdk',
    '@chattrail/langchain',
    '@chattrail/express',
    '@chattrail/redis',
  ]) {
    if (!byName.has(name)) throw new StepError(`${name} is not a public package of ${root}`);
  }
  const sys = systemNode();

  const tmp = mkdtempSync(join(tmpdir(), 'chattrail-rehearsal-'));
  tmpDir = tmp;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      cleanup();
      process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[signal] ?? 0));
    });
  }
  process.once('exit', cleanup);

  let t = Date.now();
  const registry = await startRegistry(tmp);
  say(`registry    ok  Verdaccio on ${registry.url}, uplink ${registry.upstream} (${seconds(t)})`);

  t = Date.now();
  const { published, ranges } = await publish(registry, tmp, packages);
  say(
    `publish     ok  changeset publish --no-git-tag, provenance off: ${published.join(', ')} (${seconds(t)})`,
  );
  say(`ranges      ok  as published: ${ranges.join('; ') || 'no package depends on another'}`);

  // The installs only share the registry, so they run side by side.
  t = Date.now();
  const context = { tmp, registry, sys };
  const plan = {
    devserver: ['@chattrail/devserver'],
    'ai-sdk': ['@chattrail/ai-sdk', '@chattrail/core', 'ai@6'],
    langchain: ['@chattrail/langchain', '@chattrail/core', '@langchain/core'],
    express: ['@chattrail/express', '@chattrail/core', 'express'],
    cli: ['@chattrail/cli'],
    core: ['@chattrail/core'],
    redis: ['@chattrail/redis', '@chattrail/core', 'redis@6'],
  };
  const settled = await Promise.allSettled(
    Object.entries(plan).map(([name, specs]) => install(name, specs, context)),
  );
  const installs = {};
  const failures = [];
  Object.keys(plan).forEach((name, i) => {
    const outcome = settled[i];
    if (outcome.status === 'rejected') {
      failures.push(`${name}: ${outcome.reason.message}`);
      return;
    }
    installs[name] = outcome.value;
    const ours = plan[name].filter((spec) => spec.startsWith('@chattrail/'));
    for (const spec of ours) failures.push(...missingFiles(outcome.value.dir, byDir.get(spec), spec));
    const wrong = ours.filter(
      (spec) => installedVersion(outcome.value.dir, spec) !== byName.get(spec).version,
    );
    if (wrong.length) {
      failures.push(
        `${name}: installed ${wrong.map((s) => `${s}@${installedVersion(outcome.value.dir, s)}`).join(', ')}, not the published versions`,
      );
    }
  });
  if (failures.length) throw new StepError(`install failed:\n${failures.join('\n')}`);
  const third = (name, dep) => `${dep}@${installedVersion(installs[name].dir, dep)}`;
  say(
    `install     ok  node v${sys.version}'s npm, only the local registry: ${third('ai-sdk', 'ai')}, ${third('langchain', '@langchain/core')}, ` +
      `${third('express', 'express')}, @chattrail/cli, @chattrail/core, ${third('redis', 'redis')} (${seconds(t)}; seven installs side by side)`,
  );

  t = Date.now();
  const bin = join(
    installs.devserver.dir,
    'node_modules',
    '@chattrail',
    'devserver',
    byName.get('@chattrail/devserver').bin['chattrail-devserver'],
  );
  const { match } = await startServer(children, 'devserver', sys.node, [bin, '--port', '0', '--quiet'], {
    ready: /(http:\/\/127\.0\.0\.1:\d+)[/\s]/,
    timeoutMs: 30_000,
    cwd: installs.devserver.dir,
    env: installs.devserver.env,
  });
  const devserver = { url: match[1] };
  say(`devserver   ok  chattrail-devserver from the registry on ${devserver.url} (${seconds(t)})`);

  for (const name of [
    'ai-sdk',
    'langchain',
    'express',
    'cli',
    'core-esm',
    'core-cjs',
    'core-esbuild',
    'core-webpack',
  ]) {
    t = Date.now();
    const installed = installs[name.startsWith('core-') ? 'core' : name];
    await deliver(name, { installed, devserver, sys });
    say(
      `${name.padEnd(12)} ok  a turn reached Mielto and Melodi on the devserver (node v${sys.version}, ${seconds(t)})`,
    );
  }
  t = Date.now();
  const redisServer = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (redisServer === undefined) {
    say(
      'redis       --  skipped: no redis-server installed (apt-get install redis-server; `npm test` does so as root)',
    );
  } else {
    const port = await freePort();
    await startServer(
      children,
      'redis-server',
      redisServer,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', tmp],
      {
        ready: /Ready to accept connections/,
        timeoutMs: 30_000,
      },
    );
    await deliver('redis', {
      installed: installs.redis,
      devserver,
      sys,
      redisUrl: `redis://127.0.0.1:${port}`,
    });
    say(
      `redis       ok  a turn with redisStore() reached both backends; Redis holds its conversation (${seconds(t)})`,
    );
  }
  return published.length;
}

try {
  const count = await main();
  say(`${count} package(s) published, installed and delivering (${seconds(started)})`);
  process.exitCode = 0;
} catch (error) {
  const text = error instanceof StepError ? error.message : (error?.stack ?? String(error));
  say(`FAILED after ${seconds(started)}:\n${indent(text)}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
