// Runs the getting-started examples of the package READMEs as a new user would: in a fresh directory, with
// the packed packages and the real frameworks from the registry, against a devserver started as the README
// says, and checks that the devserver got the turn.
//
// A README marks what this script runs with an HTML comment on the line before a fenced block:
//   <!-- check: install -->    an ```sh block of `npm install …` lines, run in order
//   <!-- check: file app.mjs --> the block is written to that file
//   <!-- check: shell -->      an ```sh block run with `sh -e`; when it ends, both emulated backends must
//                              hold at least one thread (read from the devserver the block's `eval` named)
//   <!-- check: shell, no turn --> the same, for a block that delivers nothing (only its exit code counts)
// Each README gets its own temp directory; blocks run in the order they appear.
//
// The only changes made to what the README says: `@chattrail/<name>` in `npm install` lines becomes the path
// of that package's tarball (`pnpm pack` of the built workspace package), and `chattrail-devserver` gets a
// free `--port` (another devserver may own 4477 on a shared machine), and so does an app's port 3000
// (every `3000` in the README's blocks). Installs and apps run on the system
// Node ($CHATTRAIL_SYSTEM_NODE, which dev.sh sets: Node 20 here), as the READMEs' Node 20 lines promise.
//
// usage: node scripts/check-readme-examples.mjs [--keep] [packages/ai-sdk/README.md …]
//        (packages must be built: bash scripts/dev.sh pnpm turbo run build)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const readmes = args.filter((a) => !a.startsWith('--'));
const DEFAULT_READMES = ['ai-sdk', 'langchain', 'express', 'core', 'devserver', 'cli'].map(
  (name) => `packages/${name}/README.md`,
);
const say = (line) => console.log(`check-readme-examples: ${line}`);

/** Fenced blocks marked with `<!-- check: … -->` on the line before, in order. */
export function markedBlocks(markdown) {
  const blocks = [];
  const re = /<!-- check: (install|shell(, no turn)?|file ([\w./-]+)) -->\n```[^\n]*\n([\s\S]*?)\n```/g;
  for (const match of markdown.matchAll(re)) {
    const kind = match[1].startsWith('file') ? 'file' : match[1].startsWith('shell') ? 'shell' : 'install';
    blocks.push({ kind, file: match[3], noTurn: match[2] !== undefined, text: `${match[4]}\n` });
  }
  return blocks;
}

/** `npm install … @chattrail/x …` with each @chattrail package replaced by its tarball. */
function withTarballs(text, tarballs) {
  return text.replace(/@chattrail\/([\w-]+)(@[\w.^~<>=-]+)?/g, (_whole, name) => {
    if (!tarballs[name]) throw new Error(`no tarball for @chattrail/${name} (is it public and built?)`);
    return tarballs[name];
  });
}

/** Runs `sh -e -c script` in its own process group, so a server it put in the background can be stopped. */
function runShell(script, { cwd, env, timeoutMs }) {
  return new Promise((done) => {
    const child = spawn('sh', ['-e', '-c', script], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const stopGroup = () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      output += `\n[timed out after ${timeoutMs / 1000} s]`;
      stopGroup();
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      stopGroup(); // whatever the block left running in the background (the devserver)
      done({ code, output });
    });
  });
}

const tail = (text, lines = 30) => text.trimEnd().split('\n').slice(-lines).join('\n');

// Appended to each shell block: the devserver the block's `eval` pointed at holds the turn in both backends.
// Appended to each shell block: the devserver the block's `eval` pointed at holds the turn in both backends
// (waiting up to 20 s: a server app delivers in the background, after its response).
const CHECK_DELIVERED = `
const base = new URL(process.env.MIELTO_BASE_URL).origin;
const read = async (path) => (await fetch(base + path)).json();
const count = (x) => (Array.isArray(x) ? x.length : Array.isArray(x?.data) ? x.data.length : 0);
let held = [0, 0];
for (let i = 0; i < 200 && !(held[0] > 0 && held[1] > 0); i++) {
  if (i > 0) await new Promise((r) => setTimeout(r, 100));
  held = (await Promise.all([read('/_devserver/mielto/conversations'), read('/_devserver/melodi/threads')])).map(count);
}
console.log(\`devserver holds \${held[0]} Mielto conversation(s), \${held[1]} Melodi thread(s)\`);
process.exitCode = held[0] > 0 && held[1] > 0 ? 0 : 1;
`;

async function main() {
  const systemNode = process.env.CHATTRAIL_SYSTEM_NODE || process.execPath;
  const nodeVersion = execFileSync(systemNode, ['--version'], { encoding: 'utf8' }).trim();
  const work = mkdtempSync(join(tmpdir(), 'chattrail-readmes-'));
  say(`packing the built packages into ${work}/packs (apps run on node ${nodeVersion})`);
  const packs = join(work, 'packs');
  mkdirSync(packs);
  const names = ['core', 'ai-sdk', 'langchain', 'express', 'devserver', 'cli'];
  for (const name of names) {
    execFileSync('pnpm', ['pack', '--pack-destination', packs], {
      cwd: join(root, 'packages', name),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const tarballs = {};
  for (const file of readdirSync(packs)) {
    const name = names.find(
      (n) => file.startsWith(`chattrail-${n}-`) && /^\d/.test(file.slice(`chattrail-${n}-`.length)),
    );
    if (name) tarballs[name] = join(packs, file);
  }
  writeFileSync(join(work, 'check-delivered.mjs'), CHECK_DELIVERED);

  // The system node (and its npm) first on PATH; the toolchain's Node 24 is not what users run.
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(npm_|MIELTO_|MELODI_|CHATTRAIL_DEBUG)/i.test(k)),
    ),
    PATH: [
      dirname(systemNode),
      ...process.env.PATH.split(':').filter((d) => !d.includes('node_modules')),
    ].join(':'),
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    NPM_CONFIG_FUND: 'false',
    NPM_CONFIG_AUDIT: 'false',
  };

  const failures = [];
  for (const readme of readmes.length > 0 ? readmes : DEFAULT_READMES) {
    const blocks = markedBlocks(readFileSync(join(root, readme), 'utf8'));
    if (blocks.length === 0) {
      say(`${readme}: no marked examples`);
      continue;
    }
    const dir = join(work, readme.replace(/[/.]/g, '-'));
    const appPort = String(await freePort()); // stands in for an app's port 3000
    mkdirSync(dir);
    // The registry's stand-in for dependencies between our packages (the cli needs core): the tarballs.
    const overrides = Object.fromEntries(
      // written as npm saves a direct dependency on the same tarball, or npm calls the two a conflict
      Object.entries(tarballs).map(([name, file]) => [`@chattrail/${name}`, `file:${relative(dir, file)}`]),
    );
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'readme-example', private: true, type: 'module', overrides }, null, 2)}\n`,
    );
    say(`${readme}: ${blocks.length} example block(s) in ${dir}`);
    for (const [i, block] of blocks.entries()) {
      const label = `${readme} block ${i + 1} (${block.kind}${block.file ? ` ${block.file}` : ''})`;
      if (block.kind === 'file') {
        writeFileSync(join(dir, block.file), block.text.replaceAll('3000', appPort));
        continue;
      }
      let script = withTarballs(block.text, tarballs);
      if (block.kind === 'shell') {
        const port = await freePort();
        script = script
          .replace(/(chattrail-devserver)(?![\w-])/g, `$1 --port ${port}`)
          .replaceAll('3000', appPort);
        if (!block.noTurn) script += `"${systemNode}" "${join(work, 'check-delivered.mjs')}"\n`;
      }
      const started = Date.now();
      const result = await runShell(script, { cwd: dir, env, timeoutMs: 300_000 });
      const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
      if (result.code === 0) {
        say(`ok   ${label} (${took})${block.kind === 'shell' ? `: ${tail(result.output, 1)}` : ''}`);
      } else {
        say(`FAIL ${label} (${took}), exit ${result.code}:\n${tail(result.output)}`);
        failures.push(label);
        break; // later blocks of this README build on this one
      }
    }
  }
  if (keep) say(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
  if (failures.length > 0) {
    say(`${failures.length} failed: ${failures.join('; ')}`);
    process.exitCode = 1;
  } else say('every marked example ran');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
