import type { RequestLog } from './admin/request-log.js';
import type { ResolvedDevServerOptions } from './dev-server-options.js';
import type { FaultInjector } from './faults/fault-injector.js';
import type { BodyBudget } from './http/body-budget.js';
import type { HostPolicy } from './http/host-check.js';
import type { DevStore } from './store/dev-store.js';

/** Shared state of one running devserver, handed to every route. */
export interface DevServerContext {
  options: ResolvedDevServerOptions;
  store: DevStore;
  faults: FaultInjector;
  log: RequestLog;
  counters: DevServerCounters;
  /** Request-body bytes held across all requests, capped by `maxInFlightBodyBytes`. */
  bodyBudget: BodyBudget;
  hostPolicy: HostPolicy;
}

export interface DevServerCounters {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  completionsByUser: Record<string, number>;
  bytesIn: number;
  /** Requests refused before any route ran: a foreign `Host`, or a state-changing admin call without JSON or the admin header. */
  refused: { host: number; admin: number };
  startedAt: number;
}

export function freshCounters(): DevServerCounters {
  return {
    requests: 0,
    byRoute: {},
    byStatus: {},
    completionsByUser: {},
    bytesIn: 0,
    refused: { host: 0, admin: 0 },
    startedAt: Date.now(),
  };
}

/** Forgets all data, the request log, the counters and the faults. */
export function resetDevServerContext(ctx: DevServerContext): void {
  ctx.store.reset();
  ctx.log.clear();
  ctx.faults.clear();
  ctx.counters = freshCounters();
  ctx.bodyBudget.resetCounters();
}
