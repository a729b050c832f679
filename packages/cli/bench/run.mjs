// Import rate of `chattrail import` into the devserver, and the importer's peak RSS. The devserver runs in
// its own process; the import runs in this one (so `maxRSS` is the importer's), reading a generated file.
// Usage: node bench/run.mjs [conversations=20000] [format=openai-jsonl|chatgpt] [messages per conversation=10]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runImport } from '../dist/index.js';

const conversations = Number(process.argv[2] ?? 20_000);
const format = process.argv[3] ?? 'openai-jsonl';
const perConversation = Number(process.argv[4] ?? 10);
const devserverCli = fileURLToPath(new URL('../../devserver/dist/cli.js', import.meta.url));

const child = spawn(process.execPath, [devserverCli, '--port', '0', '--quiet'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const base = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    const m = /listening on (http:\S+)/.exec(out);
    if (m) resolve(m[1].replace(/\/$/, ''));
  });
  child.once('exit', (code) => reject(new Error(`devserver exited with ${code}`)));
});

const text = (i, m) => `Message ${m} of conversation ${i}: ${'lorem ipsum dolor sit amet '.repeat(3)}`;
function openAILine(i) {
  const messages = Array.from({ length: perConversation }, (_, m) => ({
    role: m % 2 ? 'assistant' : 'user',
    content: text(i, m),
  }));
  return JSON.stringify({
    thread_id: `bench-${i}`,
    user: `u-${i % 100}`,
    created_at: 1_700_000_000 + i,
    messages,
  });
}
function chatGPTElement(i) {
  const mapping = { root: { id: 'root', message: null, parent: null, children: ['n0'] } };
  for (let m = 0; m < perConversation; m++) {
    const id = `n${m}`;
    mapping[id] = {
      id,
      parent: m === 0 ? 'root' : `n${m - 1}`,
      children: m + 1 < perConversation ? [`n${m + 1}`] : [],
      message: {
        id: `${i}-${id}`,
        author: { role: m % 2 ? 'assistant' : 'user' },
        create_time: 1_700_000_000 + i,
        content: { content_type: 'text', parts: [text(i, m)] },
        metadata: {},
        recipient: 'all',
      },
    };
  }
  return JSON.stringify({
    title: `c${i}`,
    create_time: 1_700_000_000 + i,
    mapping,
    current_node: `n${perConversation - 1}`,
    conversation_id: `bench-${i}`,
  });
}

const dir = mkdtempSync(join(tmpdir(), 'chattrail-cli-bench-'));
const file = join(dir, format === 'chatgpt' ? 'conversations.json' : 'bench.jsonl');
const out = createWriteStream(file);
const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
if (format === 'chatgpt') await write('[');
for (let i = 0; i < conversations; i++) {
  await write(format === 'chatgpt' ? `${i > 0 ? ',' : ''}${chatGPTElement(i)}` : `${openAILine(i)}\n`);
}
if (format === 'chatgpt') await write(']');
await new Promise((r) => out.end(r));
const bytes = statSync(file).size;

const env = {
  MIELTO_API_KEY: 'bench',
  MIELTO_BASE_URL: `${base}/api/v1`,
  MELODI_API_KEY: 'bench',
  MELODI_PROJECT_ID: '1',
  MELODI_BASE_URL: `${base}/api/external`,
};
const started = performance.now();
const summary = await runImport({ files: [file], env, concurrency: 8, write: () => {} });
const seconds = (performance.now() - started) / 1000;
child.kill();
rmSync(dir, { recursive: true, force: true });

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
console.log(
  JSON.stringify({
    format,
    inputSize: mb(bytes),
    conversations: summary.imported,
    messages: summary.messages,
    failed: summary.failed,
    seconds: Number(seconds.toFixed(2)),
    conversationsPerSecond: Math.round(summary.imported / seconds),
    messagesPerSecond: Math.round(summary.messages / seconds),
    peakRss: mb(process.resourceUsage().maxRSS * 1024),
  }),
);
