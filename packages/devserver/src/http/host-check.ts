import { isIP } from 'node:net';

/** Which `Host` header values the server answers; everything else gets a 403. */
export interface HostPolicy {
  /** Any host at all (`allowedHosts: 'all'`). */
  any: boolean;
  /** Any IP literal: the server is bound to every interface, so any of the machine's addresses is fine. */
  anyIp: boolean;
  /** Exact hostnames (lower case), plus `.example.com` entries that also allow every subdomain. */
  names: string[];
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * The policy for a server bound to `bindHost`: loopback names and addresses always; the bound host itself
 * when it is not loopback; any IP literal when bound to every interface; plus `allowedHosts`.
 *
 * Why IP literals are safe while names are not: DNS rebinding needs a name the attacker controls, which
 * first resolves to the attacker's server and then to 127.0.0.1, so the browser sends `Host: evil.example`
 * to the devserver. A page can never make a browser send an IP literal as `Host` for another address.
 */
export function hostPolicy(
  bindHost: string,
  allowedHosts: readonly string[] | 'all' | undefined,
): HostPolicy {
  if (allowedHosts === 'all') return { any: true, anyIp: true, names: [] };
  const names = (allowedHosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  const wildcard = WILDCARD_BINDS.has(bindHost.trim());
  if (!wildcard) {
    const bound = canonicalHostname(
      bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost,
    );
    if (bound !== undefined && !isLoopbackHostname(bound)) names.push(bound);
  }
  return { any: false, anyIp: wildcard, names };
}

/**
 * The hostname of a `Host` header value, lower case and canonical (`127.1` → `127.0.0.1`, `[0::1]` →
 * `[::1]`), or `undefined` when it is not a plain `host[:port]`. Characters are checked before the URL
 * parser sees them, so `evil.example@127.0.0.1` or `a/b` are refused, not parsed into a loopback host.
 */
export function canonicalHostname(value: string): string | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!match) return undefined;
  try {
    let host = new URL(`http://${match[1]}/`).hostname.toLowerCase();
    if (host.endsWith('.') && !host.startsWith('[')) host = host.slice(0, -1);
    return host || undefined;
  } catch {
    return undefined;
  }
}

/** `localhost`, `*.localhost`, 127.0.0.0/8, `[::1]` and IPv4-mapped loopback (`[::ffff:7f00:1]`). */
export function isLoopbackHostname(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (host.startsWith('[') && host.endsWith(']')) {
    const inner = host.slice(1, -1);
    if (inner === '::1') return true;
    // The URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1; the first group is 0x7f00–0x7fff.
    const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(inner);
    return mapped !== null && Number.parseInt(mapped[1], 16) >> 8 === 0x7f;
  }
  return false;
}

/** Whether a request with this `Host` header may be answered. */
export function isAllowedHost(header: string | undefined, policy: HostPolicy): boolean {
  if (policy.any) return true;
  // Every browser sends Host, so a request without one is no rebinding attack (HTTP/1.0 tools omit it).
  if (header === undefined) return true;
  const host = canonicalHostname(header);
  if (host === undefined) return false;
  if (isLoopbackHostname(host)) return true;
  if (policy.anyIp && (isIP(host) === 4 || host.startsWith('['))) return true;
  return policy.names.some((name) =>
    name.startsWith('.') ? host === name.slice(1) || host.endsWith(name) : host === name,
  );
}
