import type { ActiveFault, FaultRule } from './fault-rule.js';

export type FaultDecision =
  | { kind: 'none'; latencyMs: number }
  | { kind: 'status'; latencyMs: number; rule: ActiveFault }
  | { kind: 'hang'; latencyMs: number; rule: ActiveFault }
  | { kind: 'drop'; latencyMs: number; rule: ActiveFault }
  /** Run the route, then drop the connection, hang, or replace the body (see `FaultRule.after`). */
  | { kind: 'after-drop' | 'after-hang' | 'replace-body'; latencyMs: number; rule: ActiveFault };

const MIELTO_PREFIX = '/api/v1/';
const MELODI_PREFIX = '/api/external/';

function routeMatches(route: string, method: string, path: string): boolean {
  if (route === '*') return true;
  if (route === 'mielto') return path.startsWith(MIELTO_PREFIX);
  if (route === 'melodi') return path.startsWith(MELODI_PREFIX);
  const space = route.indexOf(' ');
  if (space === -1) return route === path;
  return route.slice(0, space).toUpperCase() === method && route.slice(space + 1) === path;
}

/** mulberry32: a tiny seeded generator so `rate` faults are reproducible run to run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function validateFaultRule(rule: unknown): string | undefined {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule))
    return 'a fault rule must be an object';
  const r = rule as Record<string, unknown>;
  if (typeof r.route !== 'string' || r.route === '') return 'route must be a non-empty string';
  if (
    r.status !== undefined &&
    (!Number.isInteger(r.status) || (r.status as number) < 100 || (r.status as number) > 599)
  )
    return 'status must be an HTTP status code';
  for (const key of ['retryAfter', 'latencyMs', 'times', 'durationMs'] as const) {
    if (r[key] !== undefined && (typeof r[key] !== 'number' || (r[key] as number) < 0))
      return `${key} must be a number >= 0`;
  }
  if (r.rate !== undefined && (typeof r.rate !== 'number' || r.rate < 0 || r.rate > 1))
    return 'rate must be between 0 and 1';
  if (r.after !== undefined && r.after !== 'drop' && r.after !== 'hang')
    return "after must be 'drop' or 'hang'";
  if (r.replaceBody !== undefined && typeof r.replaceBody !== 'string') return 'replaceBody must be a string';
  if (
    r.status === undefined &&
    !r.hang &&
    !r.drop &&
    r.after === undefined &&
    r.replaceBody === undefined &&
    r.latencyMs === undefined
  )
    return 'a fault needs one of status, hang, drop, after, replaceBody or latencyMs';
  return undefined;
}

export class FaultInjector {
  private rules: ActiveFault[] = [];
  private nextId = 1;
  private readonly random: () => number;
  injected = 0;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  add(rule: FaultRule): ActiveFault {
    const active: ActiveFault = { ...rule, id: this.nextId++, setAt: Date.now(), hits: 0 };
    this.rules.push(active);
    return active;
  }

  set(rules: FaultRule[]): void {
    this.rules = [];
    for (const rule of rules) this.add(rule);
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveFault[] {
    this.expire(Date.now());
    return this.rules;
  }

  private expire(now: number): void {
    this.rules = this.rules.filter(
      (r) =>
        !(r.times !== undefined && r.hits >= r.times) &&
        !(r.durationMs !== undefined && now - r.setAt >= r.durationMs),
    );
  }

  /** Picks the first live rule that matches and fires; counts it against `times`. */
  decide(method: string, path: string): FaultDecision {
    if (this.rules.length === 0) return { kind: 'none', latencyMs: 0 };
    this.expire(Date.now());
    for (const rule of this.rules) {
      if (!routeMatches(rule.route, method, path)) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      rule.hits++;
      this.injected++;
      const latencyMs = rule.latencyMs ?? 0;
      if (rule.drop) return { kind: 'drop', latencyMs, rule };
      if (rule.hang) return { kind: 'hang', latencyMs, rule };
      if (rule.status !== undefined) return { kind: 'status', latencyMs, rule };
      if (rule.after === 'drop') return { kind: 'after-drop', latencyMs, rule };
      if (rule.after === 'hang') return { kind: 'after-hang', latencyMs, rule };
      if (rule.replaceBody !== undefined) return { kind: 'replace-body', latencyMs, rule };
      return { kind: 'none', latencyMs };
    }
    return { kind: 'none', latencyMs: 0 };
  }
}
