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
import { WORKER_NICE } from './lower-thread-priority';

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

// Skipped where a nice value is not per thread, and when the tests run at or below the worker's priority.
describe.skipIf(!linux || (niceByThread().get(process.pid) ?? 0) >= WORKER_NICE)(
  "the delivery worker's priority (Linux)",
  () => {
    it('runs the worker thread alone at the lowered priority, the app and the thread pool untouched', async () => {
      const app = niceByThread().get(process.pid);
      const before = [...niceByThread().values()].filter((nice) => nice === WORKER_NICE).length;
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
      expect([...nice.values()].filter((value) => value === WORKER_NICE).length).toBe(before + 1);
      expect(nice.get(process.pid)).toBe(app);
      await trail.shutdown();
    });
  },
);
