import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConversationScript,
  closeServersAfterEach,
  devServer,
  MELODI_KEY,
  MIELTO_KEY,
  PROJECT_ID,
} from '../../test/trail-test-kit';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import { createChatTrail } from '../pipeline/create-chat-trail';
import { WORKER_NICE_STEPS } from './lower-thread-priority';

closeServersAfterEach();

/** The nice value of each thread of this process, by thread id (field 19 of /proc/self/task/<tid>/stat). */
function niceByThread(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      nice.set(Number(tid), Number(fields[16]));
    } catch {} // the thread ended meanwhile
  }
  return nice;
}

const linux = process.platform === 'linux' && existsSync('/proc/thread-self');
const app = linux ? (niceByThread().get(process.pid) ?? 0) : 0;
const lowered = Math.min(19, app + WORKER_NICE_STEPS);

// Skipped where a nice value is not per thread, and when the tests already run at the lowest priority.
describe.skipIf(!linux || app >= 19)("the delivery worker's priority (Linux)", () => {
  it('runs the worker thread alone at a lower priority than the app, the app and the thread pool untouched', async () => {
    const before = [...niceByThread().values()].filter((nice) => nice === lowered).length;
    const server = await devServer();
    const trail = createChatTrail({
      destinations: [
        mielto({ apiKey: MIELTO_KEY, baseUrl: server.mieltoBaseUrl }),
        melodi({ apiKey: MELODI_KEY, projectId: PROJECT_ID, baseUrl: server.melodiBaseUrl }),
      ],
      delivery: 'worker',
    });
    trail.record(new ConversationScript('nice-a').turn());
    // The worker lowers its priority before it reads a message: once it has answered, it has.
    expect(await trail.flush({ timeoutMs: 30_000 })).toEqual({ ok: true, pendingTurns: 0 });
    const nice = niceByThread();
    // One thread more at the lowered priority (the worker), not libuv's pool, which it may have started.
    expect([...nice.values()].filter((value) => value === lowered).length).toBe(before + 1);
    expect(nice.get(process.pid)).toBe(app);
    await trail.shutdown();
  });
});
