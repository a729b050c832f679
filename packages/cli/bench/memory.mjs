// Memory of `chattrail import` on a large OpenAI JSONL file: the built CLI runs in its own process (as
// `npx @chattrail/cli` does) against the devserver in another, and its resident memory is sampled from
// /proc every second, so the figures are the importer's alone (the devserver keeps everything it is
// sent: its memory grows, the importer's should not). Linux only (/proc).
// Usage: node bench/memory.mjs [megabytes=1024] [--dry-run] [--stop-after=<seconds>]
// --stop-after: kill the import after that long (a real import of a prefix of the file, when delivering
// all of it would take too long or the devserver would hold too much).
// The file is generated in a temporary folder and deleted afterwards.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const megabytes = Number(args.find((a) => /^\d+$/.test(a)) ?? 1024);
const dryRun = args.includes('--dry-run');
const stopAfter = Number(args.find((a) => a.startsWith('--stop-after='))?.split('=')[1] ?? Number.NaN);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const devserverCli = fileURLToPath(new URL('../../devserver/dist/cli.js', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'chattrail-cli-memory-'));
let devserver;
try {
  const file = join(dir, 'big.jsonl');
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  const filler = 'lorem ipsum dolor sit amet '.repeat(3);
  let conversations = 0;
  for (let bytes = 0; bytes < megabytes * 1024 * 1024; conversations++) {
    const i = conversations;
    const messages = Array.from({ length: 10 }, (_, m) => ({
      role: m % 2 ? 'assistant' : 'user',
      content: `Message ${m} of conversation ${i}: ${filler}`,
    }));
    const line = `${JSON.stringify({ thread_id: `mem-${i}`, user: `u-${i % 100}`, created_at: 1_700_000_000 + i, messages })}\n`;
    bytes += Buffer.byteLength(line);
    await write(line);
  }
  await new Promise((r) => out.end(r));
  const size = statSync(file).size;

  const env = { PATH: process.env.PATH ?? '' };
  // e.g. IMPORTER_NODE_OPTIONS=--max-old-space-size=64: does the import run in that little heap?
  if (process.env.IMPORTER_NODE_OPTIONS) env.NODE_OPTIONS = process.env.IMPORTER_NODE_OPTIONS;
  if (!dryRun) {
    devserver = spawn(process.execPath, [devserverCli, '--port', '0', '--quiet'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const base = await new Promise((resolve, reject) => {
      let text = '';
      devserver.stdout.on('data', (d) => {
        text += d;
        const m = /listening on (http:\S+)/.exec(text);
        if (m) resolve(m[1].replace(/\/$/, ''));
      });
      devserver.once('exit', (code) => reject(new Error(`devserver exited with ${code}`)));
    });
    Object.assign(env, {
      MIELTO_API_KEY: 'bench',
      MIELTO_BASE_URL: `${base}/api/v1`,
      MELODI_API_KEY: 'bench',
      MELODI_PROJECT_ID: '1',
      MELODI_BASE_URL: `${base}/api/external`,
    });
  }

  const started = performance.now();
  const child = spawn(
    process.execPath,
    [cli, 'import', file, '--json', '--progress-interval', '2000', ...(dryRun ? ['--dry-run'] : [])],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let lastProgress;
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    const lines = stdout.split('\n');
    stdout = lines.pop();
    for (const line of lines) if (line.trim() !== '') lastProgress = JSON.parse(line);
  });
  const rssOf = (pid) => {
    try {
      return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      return 0;
    }
  };
  const status = () => {
    try {
      const text = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
      return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
    } catch {
      return undefined;
    }
  };
  const samples = [];
  let peak = 0;
  const sampler = setInterval(() => {
    const s = status();
    if (s === undefined || s.rss === 0) return;
    peak = Math.max(peak, s.hwm);
    samples.push({
      seconds: Math.round((performance.now() - started) / 1000),
      rssMB: Math.round(s.rss / 1024 / 1024),
      conversations: lastProgress?.read ?? lastProgress?.imported ?? 0,
      devserverMB: devserver === undefined ? undefined : Math.round(rssOf(devserver.pid) / 1024 / 1024),
    });
  }, 1000);
  let stopTimer;
  if (Number.isFinite(stopAfter)) stopTimer = setTimeout(() => child.kill('SIGKILL'), stopAfter * 1000);
  const exit = await new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  clearInterval(sampler);
  clearTimeout(stopTimer);
  const seconds = (performance.now() - started) / 1000;
  // Resident memory at each tenth of the run: flat means it does not grow with what was read.
  const tenths = Array.from(
    { length: 10 },
    (_, k) => samples[Math.floor(((k + 1) * samples.length) / 10) - 1],
  )
    .filter(Boolean)
    .map(
      (s) =>
        `${s.seconds}s:${s.rssMB}MB@${s.conversations}${s.devserverMB === undefined ? '' : ` (devserver ${s.devserverMB}MB)`}`,
    );
  console.log(
    JSON.stringify({
      mode: dryRun
        ? 'dry-run'
        : Number.isFinite(stopAfter)
          ? `import, stopped after ${stopAfter} s`
          : 'import',
      inputSize: `${(size / 1024 / 1024).toFixed(0)} MB`,
      conversationsInFile: conversations,
      exit,
      last: lastProgress,
      seconds: Number(seconds.toFixed(1)),
      importerPeakRss: `${(peak / 1024 / 1024).toFixed(1)} MB`,
      rssOverTime: tenths,
    }),
  );
} finally {
  devserver?.kill();
  rmSync(dir, { recursive: true, force: true });
}
