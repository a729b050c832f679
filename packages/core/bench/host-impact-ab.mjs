// host-impact.mjs of two or more builds of this package, run in turn with the app alone, round after round,
// so that the machine's drift (±20% over minutes on a shared box) falls on each build alike; it reports
// what each build adds to the app's thread pair by pair with the app-alone run of the same round.
// Each build is a directory holding a built copy of this package (its dist/ and bench/), e.g. a
// `git worktree` of another commit after `pnpm build`, or a copy of packages/core with node_modules linked.
// Usage: node bench/host-impact-ab.mjs <rounds> <seconds> <threads> <idle|nice> <coreDirA> <coreDirB> ...
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { median } from './bench-kit.mjs';

const [rounds, seconds, threads, nice, ...dirs] = process.argv.slice(2);
if (dirs.length === 0)
  throw new Error('usage: host-impact-ab.mjs rounds seconds threads idle|nice dirA [dirB ...]');
const builds = dirs.map((dir) => resolve(dir));
const runs = new Map([['none', []], ...builds.map((build) => [build, []])]);

function run(build, mode) {
  const script = join(build, 'bench/host-impact.mjs');
  const args = [script, '2000', seconds, threads, '--mode', mode, '--backend-nice', nice];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1e8 });
  return JSON.parse(
    out
      .split('\n')
      .find((line) => line.startsWith('RESULT '))
      .slice(7),
  ).mode;
}

for (let round = 0; round < Number(rounds); round++) {
  const order = ['none', ...builds];
  // Every other round the other way round, so no build always runs right after the app alone.
  for (const build of round % 2 === 0 ? order : order.reverse()) {
    const result = build === 'none' ? run(builds[0], 'none') : run(build, 'worker');
    runs.get(build).push(result);
    console.log(
      `round ${round} ${build}: main ${result.mainThreadMicrosPerTurn} µs/turn, p99 ${result.loopDelayP99Ms} ms, worker ${result.workerMicrosPerTurn ?? '-'} µs/turn, dropped ${result.dropped}, load ${result.loadAverage}`,
    );
  }
}
const alone = runs.get('none');
for (const build of builds) {
  const results = runs.get(build);
  const added = results.map((r, i) => r.mainThreadMicrosPerTurn - alone[i].mainThreadMicrosPerTurn);
  const late = results.map((r, i) => Math.round((r.loopDelayP99Ms - alone[i].loopDelayP99Ms) * 10) / 10);
  console.log(
    `${build}: adds ${median(added)} µs/turn [${added.join(' ')}], p99 added ${median(late)} ms [${late.join(' ')}], worker ${median(results.map((r) => r.workerMicrosPerTurn))} µs/turn, dropped ${Math.max(...results.map((r) => r.dropped))}`,
  );
}
