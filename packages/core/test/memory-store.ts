import type { ChatTrailStore, StoreThreadState } from '../src/spec/chat-trail-store';

/**
 * A {@link ChatTrailStore} in a Map, for tests: several trails in one process given the same instance
 * behave as app instances sharing one Redis. The README of @chattrail/redis shows the same in ~30 lines.
 */
export function memoryStore(): ChatTrailStore & { calls: number; failing: boolean } {
  const threads = new Map<string, { value?: string; ids: Set<string>; bodies: string[]; order: string[] }>();
  const locks = new Set<string>();
  const thread = (scope: string, id: string) => {
    const key = `${scope}:${id}`;
    let found = threads.get(key);
    if (found === undefined) {
      found = { ids: new Set(), bodies: [], order: [] };
      threads.set(key, found);
    }
    return found;
  };
  const self = {
    calls: 0,
    failing: false,
    async sync(scope: string, batch: Parameters<ChatTrailStore['sync']>[1]) {
      self.calls++;
      if (self.failing) throw new Error('store down');
      const states = batch.map(({ threadId, entries, from, fromId }): StoreThreadState => {
        const t = thread(scope, threadId);
        const ok =
          from !== undefined && from <= t.bodies.length && (from === 0 || t.order[from - 1] === fromId);
        const start = ok ? from : 0;
        const state: StoreThreadState = { added: [] };
        if (from !== undefined) Object.assign(state, { start, tail: t.bodies.slice(start) });
        for (const entry of entries) {
          const added = !t.ids.has(entry.id);
          if (added) t.ids.add(entry.id);
          if (added && entry.body !== undefined) {
            t.bodies.push(entry.body);
            t.order.push(entry.id);
          }
          state.added.push(added);
        }
        if (t.value !== undefined) state.value = t.value;
        return state;
      });
      return { fresh: false, threads: states };
    },
    async setValue(scope: string, threadId: string, value: string) {
      thread(scope, threadId).value = value;
    },
    async remove(scope: string, threadId: string, ids?: readonly string[]) {
      if (ids === undefined) threads.delete(`${scope}:${threadId}`);
      else for (const id of ids) thread(scope, threadId).ids.delete(id);
    },
    async lock(scope: string, threadId: string) {
      if (self.failing) throw new Error('store down');
      const key = `${scope}:${threadId}`;
      if (locks.has(key)) return false;
      locks.add(key);
      return true;
    },
    async unlock(scope: string, threadId: string) {
      locks.delete(`${scope}:${threadId}`);
    },
  };
  return self;
}
