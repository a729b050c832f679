import type { DevServerContext } from '../dev-server-context.js';

export interface DevServerStats {
  uptimeMs: number;
  requests: number;
  bytesIn: number;
  /** Requests refused for a foreign `Host` header, or admin changes sent without JSON or the admin header. */
  refused: { host: number; admin: number };
  /**
   * Request bodies held in memory: bytes now, the most at once since start (or reset), the cap
   * (`maxInFlightBodyBytes`) and how many requests got a 503 because their body did not fit.
   */
  bodies: { inFlightBytes: number; peakInFlightBytes: number; maxInFlightBytes: number; refused: number };
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
    refused: { ...counters.refused },
    bodies: {
      inFlightBytes: ctx.bodyBudget.inFlight,
      peakInFlightBytes: ctx.bodyBudget.peak,
      maxInFlightBytes: ctx.bodyBudget.limit,
      refused: ctx.bodyBudget.refused,
    },
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
