// Runs a benchmark script in a Node process of its own and resolves with what it `report()`ed (its
// `RESULT {...}` line; see bench-kit.mjs). Separate processes so one run cannot warm up or pollute the heap
// of another.
import { spawn } from 'node:child_process';

/**
 * `script`: an absolute path. `echo`: print the child's other lines as they come (the runner shows them;
 * a benchmark running its own parts in children may keep them quiet). Rejects when the child fails or
 * reports nothing.
 */
export function runForResult(script, args = [], { nodeFlags = [], echo = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let result;
    let buffer = '';
    child.stdout.on('data', (data) => {
      buffer += data;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
        else if (echo) console.log(line);
        newline = buffer.indexOf('\n');
      }
    });
    child.once('exit', (code) =>
      code === 0 && result
        ? resolve(result)
        : reject(new Error(`${script} ${args.join(' ')} exited with ${code}`)),
    );
  });
}
