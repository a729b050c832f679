// `pnpm bench`: what the middleware costs a route. Requests/s and p99 latency of a JSON route and an SSE
// route on express 5 over loopback, three ways: bare; with chatTrail() and a no-op recorder (the
// middleware's own cost: tap, parse, turn building); with chatTrail() and a real createChatTrail() whose
// only destination accepts every batch without any I/O (adds record(): normalisation and batching; the
// network and the backends are never measured). The server runs in this process; autocannon runs in a
// child process (bench/load.mjs). The variants rotate through several rounds and medians are reported,
// so drift on a shared machine hits all alike.
//
// Targets (issue 7): wrapped ≥ 0.95 × bare requests/s; p99 within 1 ms of bare.
// usage: node bench/run.mjs [--seconds 5] [--rounds 3] [--connections 10] [--only json,sse,paced]
import { execFile, spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createChatTrail } from '@chattrail/core';
import express from 'express';
import { chatTrail } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    only: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);

// A destination that "delivers" instantly: nothing leaves the process.
const nullDestination = {
  name: 'null',
  async send(items) {
    return items.map(() => ({ status: 'sent' }));
  },
};
const trail = createChatTrail({ destinations: [nullDestination], onError: () => {} });

const completion = {
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-bench',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'The quick brown fox jumps over the lazy dog. '.repeat(8),
        refusal: null,
      },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 40, completion_tokens: 90, total_tokens: 130 },
};
const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'gpt-bench', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const sseEvents = [
  chunk({ role: 'assistant', content: '' }),
  ...'The quick brown fox jumps over the lazy dog and keeps on running through the field until the sun sets'
    .split(' ')
    .map((word) => chunk({ content: `${word} ` })),
  chunk({}, 'stop'),
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'gpt-bench', choices: [], usage: { prompt_tokens: 40, completion_tokens: 20, total_tokens: 60 } })}\n\n`,
  'data: [DONE]\n\n',
];

const app = express();
app.use(express.json());
const json = (_req, res) => {
  res.json(completion);
};
const sse = (_req, res) => {
  res.setHeader('content-type', 'text/event-stream');
  res.setHeader('cache-control', 'no-cache');
  for (const event of sseEvents) res.write(event);
  res.end();
};
// As a model streams: one event every PACE_MS, so the route is bound by time, not CPU.
const PACE_MS = 5;
const paced = (_req, res) => {
  res.setHeader('content-type', 'text/event-stream');
  res.setHeader('cache-control', 'no-cache');
  let next = 0;
  const tick = () => {
    if (res.destroyed) return;
    if (next === sseEvents.length - 1) {
      res.end(sseEvents[next]);
      return;
    }
    res.write(sseEvents[next++]);
    setTimeout(tick, PACE_MS);
  };
  tick();
};
let noopRecorded = 0;
const noop = chatTrail({
  trail: {
    record() {
      noopRecorded++;
    },
  },
});
const withTrail = chatTrail({ trail });
// A route as apps write it: forward the request to the model API (another process, answering at once)
// and pipe its answer back, as apps/express-proxy does. Bound by CPU like json/sse, but the route does
// the work a real chat route does per request (an HTTP call upstream, streaming its body through).
const upstream = spawn(
  process.execPath,
  [
    fileURLToPath(new URL('./upstream.mjs', import.meta.url)),
    JSON.stringify([JSON.stringify(completion), sseEvents]),
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const upstreamPort = await new Promise((resolve) =>
  upstream.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
);
const forward = (path) => async (req, res) => {
  const answer = await fetch(`http://127.0.0.1:${upstreamPort}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(req.body),
  });
  res.status(answer.status);
  res.setHeader('content-type', answer.headers.get('content-type'));
  try {
    await pipeline(Readable.fromWeb(answer.body), res);
  } catch {
    // The load generator hung up at the end of a run.
  }
};
for (const [kind, path] of [
  ['proxy-json', '/json'],
  ['proxy-sse', '/sse'],
]) {
  app.post(`/bare/${kind}`, forward(path));
  app.post(`/noop/${kind}`, noop, forward(path));
  app.post(`/trail/${kind}`, withTrail, forward(path));
}
app.post('/bare/json', json);
app.post('/noop/json', noop, json);
app.post('/trail/json', withTrail, json);
app.post('/bare/sse', sse);
app.post('/noop/sse', noop, sse);
app.post('/trail/sse', withTrail, sse);
app.post('/bare/paced', paced);
app.post('/noop/paced', noop, paced);
app.post('/trail/paced', withTrail, paced);

const server = await new Promise((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});
const base = `http://127.0.0.1:${server.address().port}`;
const requestBody = JSON.stringify({
  model: 'gpt-bench',
  user: 'bench-user',
  messages: [
    { role: 'system', content: 'You are a benchmark.' },
    { role: 'user', content: 'Tell me about foxes.' },
    { role: 'assistant', content: 'Foxes are small omnivores.' },
    { role: 'user', content: 'And dogs?' },
  ],
});
const streamBody = JSON.stringify({ ...JSON.parse(requestBody), stream: true });

const loadScript = fileURLToPath(new URL('./load.mjs', import.meta.url));
/** One autocannon run in a child process; adds the CPU time this (server) process spent per request. */
function load(path, body, duration, conns = connections) {
  const before = process.cpuUsage();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [loadScript, `${base}${path}`, body, String(duration), String(conns)],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${error.message}\n${stderr}`));
          return;
        }
        const run = JSON.parse(stdout);
        const cpu = process.cpuUsage(before);
        run.cpuPerRequest = (cpu.user + cpu.system) / Math.max(1, run.requests);
        resolve(run);
      },
    );
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
console.log(
  `express ${(await import('express/package.json', { with: { type: 'json' } })).default.version}, node ${process.version}, ` +
    `${connections} connections, ${rounds} rounds × ${seconds} s per variant, trail with a no-I/O destination\n`,
);
const VARIANTS = ['bare', 'noop', 'trail'];
// json and sse: trivial routes driven to CPU saturation, the worst case (every µs of the middleware shows).
// paced: a streamed answer at model speed (an event every 5 ms), bound by time as real chat routes are.
const SCENARIOS = [
  { kind: 'json', conns: connections },
  { kind: 'sse', conns: connections },
  { kind: 'paced', conns: 20 },
  { kind: 'proxy-json', conns: connections },
  { kind: 'proxy-sse', conns: connections },
];
for (const { kind, conns } of SCENARIOS.filter(
  (s) => values.only === undefined || values.only.split(',').includes(s.kind),
)) {
  const body = kind === 'json' || kind === 'proxy-json' ? requestBody : streamBody;
  // Warm every path (JIT, connection setup) before measuring.
  for (const variant of VARIANTS) await load(`/${variant}/${kind}`, body, 1, conns);
  const runs = { bare: [], noop: [], trail: [] };
  for (let round = 0; round < rounds; round++) {
    // Rotate which goes first, so a slow phase of the machine is shared.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    for (const variant of order) {
      const run = await load(`/${variant}/${kind}`, body, seconds, conns);
      if (run.errors > 0 || run.non2xx > 0)
        throw new Error(`${variant}/${kind}: ${run.errors} errors, ${run.non2xx} non-2xx`);
      runs[variant].push(run);
      if (process.env.BENCH_VERBOSE)
        console.log(
          `    ${kind} ${variant} round ${round}: ${run.rps.toFixed(0)} req/s, ${run.cpuPerRequest.toFixed(0)} µs CPU/req`,
        );
    }
  }
  const bareRps = median(runs.bare.map((r) => r.rps));
  const bareP99 = median(runs.bare.map((r) => r.p99));
  for (const variant of VARIANTS) {
    const rps = median(runs[variant].map((r) => r.rps));
    const p99 = median(runs[variant].map((r) => r.p99));
    const cpu = median(runs[variant].map((r) => r.cpuPerRequest));
    results.push({ route: kind, variant, rps, p99, cpu, ratio: rps / bareRps, p99Delta: p99 - bareP99 });
    console.log(
      `  ${kind} ${variant}: ${rps.toFixed(0)} req/s, p99 ${p99.toFixed(2)} ms, ${cpu.toFixed(0)} µs CPU/req`,
    );
  }
}

const recorded = trail.stats().recorded;
await trail.shutdown();
server.close();
upstream.stdin.end();

const pad = (s, n) => String(s).padStart(n);
const LABEL = { bare: 'bare', noop: 'chatTrail + no-op recorder', trail: 'chatTrail + trail (no I/O)' };
console.log(
  `${'route'.padEnd(7)}${'variant'.padEnd(28)}${pad('req/s', 9)}${pad('ratio', 8)}${pad('p99', 11)}${pad('Δp99', 11)}${pad('CPU/req', 10)}`,
);
for (const r of results) {
  const delta = r.variant === 'bare' ? '' : `${r.p99Delta >= 0 ? '+' : ''}${r.p99Delta.toFixed(2)} ms`;
  console.log(
    `${r.route.padEnd(7)}${LABEL[r.variant].padEnd(28)}${pad(r.rps.toFixed(0), 9)}${pad(r.ratio.toFixed(3), 8)}` +
      `${pad(`${r.p99.toFixed(2)} ms`, 11)}${pad(delta, 11)}${pad(`${r.cpu.toFixed(0)} µs`, 10)}`,
  );
}
console.log(`\nturns recorded: ${noopRecorded} by the no-op recorder, ${recorded} by the trail`);
console.log('CPU/req: CPU time of the server process per request (median of the rounds).');
for (const r of results.filter((x) => x.variant !== 'bare')) {
  const ok = r.ratio >= 0.95 && r.p99Delta <= 1;
  const bare = results.find((x) => x.route === r.route && x.variant === 'bare');
  console.log(
    `${r.route} / ${LABEL[r.variant]}: ${ok ? 'meets' : 'misses'} the target (ratio ≥ 0.95, Δp99 ≤ 1 ms); ` +
      `costs ${(r.cpu - bare.cpu).toFixed(0)} µs CPU per request`,
  );
}
