// Ingest rate of the devserver: messages/s accepted through batched POST /api/v1/messages over loopback.
// The server runs in its own process (the CLI, so one core), the load comes from this one, with
// keep-alive connections and a fixed number of requests in flight. Usage: node bench/run.mjs [seconds]
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const seconds = Number(process.argv[2] ?? 5);
const BATCH = 100;
const IN_FLIGHT = 16;
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const child = spawn(process.execPath, [cli, '--port', '0', '--quiet'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const base = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    const m = /listening on (http:\S+)/.exec(out);
    if (m) resolve(new URL(m[1]));
  });
  child.once('exit', (code) => reject(new Error(`devserver exited with ${code}`)));
});

const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
function post(path, body) {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method: 'POST',
        agent,
        headers: {
          authorization: 'Bearer bench',
          'content-type': 'application/json',
          'content-length': payload.length,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const conversation = JSON.parse(
  (await post('/api/v1/conversations', { title: 'bench', user_id: 'bench-user' })).body,
);
const content = Array.from({ length: BATCH }, (_, i) => ({
  content: `message ${i}: ${'lorem ipsum dolor sit amet '.repeat(4)}`,
  role: i % 2 ? 'assistant' : 'user',
  sender_id: i % 2 ? 'agent' : 'bench-user',
  created_at: new Date().toISOString(),
  meta_data: { chattrail_message_id: `msg_${i}`, turn: i >> 1 },
}));
const body = { conversation_id: conversation.id, content, enable_memories: false };

let messages = 0;
let failures = 0;
const deadline = performance.now() + seconds * 1000;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (performance.now() < deadline) {
      const res = await post('/api/v1/messages', body);
      if (res.status === 201) messages += BATCH;
      else failures++;
    }
  }),
);
const elapsed = (performance.now() - t0) / 1000;
agent.destroy();
child.kill('SIGTERM');

const rate = Math.round(messages / elapsed);
console.log(
  `devserver ingest: ${rate.toLocaleString('en-US')} messages/s (${messages} messages in ${elapsed.toFixed(1)} s, batches of ${BATCH}, ${IN_FLIGHT} in flight, ${failures} failed requests)`,
);
console.log(`target >= 20,000 messages/s on one core: ${rate >= 20_000 ? 'met' : 'NOT met'}`);
