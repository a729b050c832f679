import { spawn } from 'node:child_process';
import { StepError, tail } from './step-error.mjs';

/**
 * Starts a long-running child (added to `children`, removed when it exits) and resolves with
 * `{ child, match, output }` once its output matches `ready`: stdout only, or stdout and stderr with
 * `readyOn: 'both'`. Rejects with a StepError if it exits first or is not ready within `timeoutMs`.
 */
export function startServer(children, name, cmd, args, { ready, timeoutMs = 60_000, readyOn, ...options }) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  let output = '';
  return new Promise((resolveStart, rejectStart) => {
    const fail = (why) => {
      clearTimeout(timer);
      rejectStart(new StepError(`${name} ${why}:\n${tail(output)}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs / 1000} s`), timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveStart({ child, match, output: () => output });
      }
    };
    const collect = (chunk) => {
      output += chunk;
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', readyOn === 'both' ? onData : collect);
    child.once('error', (error) => fail(`could not be started (${error.message})`));
    child.once('exit', (code, signal) => {
      children.delete(child);
      fail(`exited (${signal ?? code}) before it was ready`);
    });
  });
}
