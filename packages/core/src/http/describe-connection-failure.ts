import { messageOf } from '../internal/message-of';

export interface ConnectionTarget {
  /** As the URL gives it (an IPv6 address in brackets). */
  hostname: string;
  /** `hostname:port`, the port always given. */
  hostPort: string;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA', 'EAI_AGAIN']);
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const CONNECT_TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;
const MAX_DEPTH = 5;

/** Why a request got no response, from the codes along its causes (undici's, maybe an AggregateError). */
export function describeConnectionFailure(
  error: unknown,
  target: ConnectionTarget,
): { code: string | undefined; summary: string } {
  const chain = errorChain(error);
  const codes = chain.flatMap((link) => (typeof link.code === 'string' ? [link.code] : []));
  const find = (set: ReadonlySet<string>) => codes.find((code) => set.has(code));
  const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  const dns = find(DNS_CODES);
  if (dns !== undefined) return { code: dns, summary: `cannot resolve host ${host}` };
  if (codes.includes('ECONNREFUSED')) {
    return { code: 'ECONNREFUSED', summary: `connection refused ${target.hostPort}` };
  }
  const timeout = find(CONNECT_TIMEOUT_CODES);
  if (timeout !== undefined) {
    return { code: timeout, summary: `cannot connect to ${target.hostPort}: connecting timed out` };
  }
  const unreachable = find(UNREACHABLE_CODES);
  if (unreachable !== undefined) return { code: unreachable, summary: `${target.hostPort} is unreachable` };
  const tls = codes.find((code) => TLS_CODE.test(code));
  if (tls !== undefined) {
    return { code: tls, summary: `TLS with ${target.hostPort} failed: ${innermostMessage(chain)}` };
  }
  const closed = find(CLOSED_CODES);
  if (closed !== undefined) {
    return { code: closed, summary: `connection to ${target.hostPort} closed before the response` };
  }
  return {
    code: codes[0],
    summary: `connection error with ${target.hostPort}: ${describeCause(error)}`,
  };
}

interface Link {
  code?: unknown;
  message?: unknown;
}

/** The error, its causes and the first error of any AggregateError, outermost first. */
function errorChain(error: unknown): Link[] {
  const chain: Link[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && current !== null && typeof current === 'object'; depth++) {
    const link = current as Link & { cause?: unknown; errors?: unknown };
    chain.push(link);
    current = Array.isArray(link.errors) && link.errors.length > 0 ? link.errors[0] : link.cause;
    if (current === undefined && link.cause !== undefined) current = link.cause;
  }
  return chain;
}

function innermostMessage(chain: readonly Link[]): string {
  for (let i = chain.length - 1; i >= 0; i--) {
    const message = chain[i]!.message;
    if (typeof message === 'string' && message !== '') return message;
  }
  return 'unknown error';
}

function describeCause(error: unknown): string {
  const message = messageOf(error);
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const reason =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return reason === '' || message.includes(reason) ? message : `${message} (${reason})`;
}
