import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Debian's `redis-server` for tests: started on a free loopback port with a temporary directory, never
 * persisting, stopped by the test that started it. Each pid is also noted in a folder that the global
 * teardown sweeps (test/global-setup.ts), so a worker that crashed leaves no redis-server behind.
 */
export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) =>
  existsSync(path),
);
export const PID_DIR = join(tmpdir(), 'chattrail-redis-test-pids');

export const SKIP_MESSAGE =
  'redis-server is not installed: the @chattrail/redis tests are skipped (apt-get install redis-server; `npm test` installs it when run as root)';

export interface RedisServer {
  port: number;
  url: string;
  /** SIGKILL: Redis dies as in a crash; nothing is saved. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (it never persists). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// The last line of defence: a test process that exits takes its redis-servers with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startRedisServer(): Promise<RedisServer> {
  if (REDIS_SERVER === undefined) throw new Error(SKIP_MESSAGE);
  const dir = mkdtempSync(join(tmpdir(), 'chattrail-redis-'));
  mkdirSync(PID_DIR, { recursive: true });
  let port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        child = await spawnRedis(port, dir);
        return;
      } catch (error) {
        // The free port was taken between our probe and Redis's bind: try another (not on restart).
        if (attempt >= 3 || child !== undefined) throw error;
        port = await freePort();
      }
    }
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const current = child;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill(signal);
    await exited;
  };
  await launch();
  return {
    port,
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    kill: () => end('SIGKILL'),
    restart: async () => {
      await end('SIGKILL');
      child = await spawnRedis(port, dir);
    },
    stop: async () => {
      await end('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function spawnRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER!,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  const pidFile = join(PID_DIR, String(child.pid));
  writeFileSync(pidFile, String(port));
  child.once('exit', () => {
    running.delete(child);
    try {
      unlinkSync(pidFile);
    } catch {}
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve(child);
      }
    });
    child.stderr!.resume();
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}) before it was ready: ${output.slice(-500)}`)),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
