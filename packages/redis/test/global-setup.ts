import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { PID_DIR, REDIS_SERVER, SKIP_MESSAGE } from './redis-server';

/** Says once why the tests skip; afterwards kills any redis-server a crashed test worker left running. */
export default function setup(): () => void {
  if (REDIS_SERVER === undefined) console.warn(`[@chattrail/redis] ${SKIP_MESSAGE}`);
  return () => {
    let names: string[] = [];
    try {
      names = readdirSync(PID_DIR);
    } catch {
      return;
    }
    for (const name of names) {
      try {
        // Only a redis-server of ours: a pid noted by a run that died may since belong to anything else.
        const port = readFileSync(`${PID_DIR}/${name}`, 'utf8');
        const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
        if (new RegExp(`^redis-server 127\\.0\\.0\\.1:${port}[\\s\\0]`).test(cmdline))
          process.kill(Number(name), 'SIGKILL');
      } catch {}
      rmSync(`${PID_DIR}/${name}`, { force: true });
    }
  };
}
