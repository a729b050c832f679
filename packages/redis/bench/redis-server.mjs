// Debian's redis-server for benchmarks: a free loopback port, a temp dir, no persistence; stopped by stop().
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';

export async function startRedis() {
  const bin = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (bin === undefined) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const port = await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'chattrail-redis-bench-'));
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  const admin = createClient({ url });
  await admin.connect();
  return {
    url,
    /** Commands processed and bytes in/out so far (the INFO call itself included: about 1 command). */
    async counters() {
      const info = await admin.info('stats');
      const read = (name) => Number(new RegExp(`${name}:(\\d+)`).exec(info)[1]);
      return {
        commands: read('total_commands_processed'),
        bytesIn: read('total_net_input_bytes'),
        bytesOut: read('total_net_output_bytes'),
      };
    },
    async stop() {
      admin.destroy();
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
