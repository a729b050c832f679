import type { DevServerContext } from '../dev-server-context.js';

export interface DevServerStats {
  uptimeMs: number;
  requests: number;
  bytesIn: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  faultsInjected: number;
  completionsByUser: Record<string, number>;
  mielto: { conversations: number; messages: number };
  melodi: { threads: number; messages: number; feedback: number };
}

export function devServerStats(ctx: DevServerContext): DevServerStats {
  const { counters, store } = ctx;
  return {
    uptimeMs: Date.now() - counters.startedAt,
    requests: counters.requests,
    bytesIn: counters.bytesIn,
    byRoute: counters.byRoute,
    byStatus: counters.byStatus,
    faultsInjected: ctx.faults.injected,
    completionsByUser: counters.completionsByUser,
    mielto: { conversations: store.mielto.allConversations().length, messages: store.mielto.messageCount },
    melodi: {
      threads: store.melodi.allThreads().length,
      messages: store.melodi.messageCount,
      feedback: store.melodi.allFeedback().length,
    },
  };
}
