// record() with the spool on, side by side with it off, in the same run: a 10-message turn of a new thread
// (every message normalised, the turn queued whole), 5,000 calls per sample, samples alternating off / on.
// `record` is the calls alone (the spool only queues the item: its JSON is built and written a tick later);
// `with write` adds that tick, the batch's JSON and its one write(), so it is the whole cost per turn but the
// fsync (a timer, at most every fsyncMs). Usage: node bench/spool-record-cost.mjs [samples=21]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChatTrail } from '../dist/index.js';
import { makeTurn, median, neverCompletes, report } from './bench-kit.mjs';

const SAMPLES = Number(process.argv[2] ?? 21);
const N = 5_000;
const turn = makeTurn(10);
const threadIds = Array.from({ length: N }, (_, i) => `bench-thread-${i}`);
const cpuNs = (start) => {
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) * 1000;
};

async function sample(spool) {
  const dir = spool ? mkdtempSync(join(tmpdir(), 'chattrail-spool-bench-')) : undefined;
  const trail = createChatTrail({
    destinations: [neverCompletes],
    maxQueueTurns: N + 1,
    maxQueueBytes: 1e12,
    flushAt: 1e9,
    onError: (error) => console.error(error.message),
    ...(spool ? { spool: { dir } } : {}),
  });
  const cpuStart = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) trail.record({ ...turn, threadId: threadIds[i] });
  const recordNs = Number(process.hrtime.bigint() - started) / N;
  const recordCpuNs = cpuNs(cpuStart) / N;
  await new Promise((resolve) => setImmediate(resolve)); // the spool's write of the batch
  const withWriteNs = Number(process.hrtime.bigint() - started) / N;
  const withWriteCpuNs = cpuNs(cpuStart) / N;
  const stats = trail.stats().spool;
  await trail.shutdown({ timeoutMs: 1 });
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  return { recordNs, recordCpuNs, withWriteNs, withWriteCpuNs, bytesPerTurn: (stats?.bytesWritten ?? 0) / N };
}

const runs = { off: [], on: [] };
for (let i = 0; i < 3; i++) {
  await sample(false); // warm-up
  await sample(true);
}
for (let i = 0; i < SAMPLES; i++) {
  runs.off.push(await sample(false));
  runs.on.push(await sample(true));
}
const summary = (rows) =>
  Object.fromEntries(
    ['recordNs', 'recordCpuNs', 'withWriteNs', 'withWriteCpuNs', 'bytesPerTurn'].map((key) => [
      key,
      Math.round(median(rows.map((row) => row[key]))),
    ]),
  );
const result = { off: summary(runs.off), on: summary(runs.on), samples: SAMPLES, callsPerSample: N };
for (const [name, s] of [
  ['spool off', result.off],
  ['spool on ', result.on],
]) {
  console.log(
    `record() 10 messages, ${name}: ${s.recordNs} ns/call wall, ${s.recordCpuNs} ns CPU; with the spool's write ${s.withWriteNs} ns wall, ${s.withWriteCpuNs} ns CPU; ${s.bytesPerTurn} bytes written per turn (medians of ${SAMPLES})`,
  );
}
report({ spoolRecordCost: result });
process.exit(0);
