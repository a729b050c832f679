import { messageOf } from '../internal/message-of';

export interface ConnectionTarget {
  /** As the URL gives it (an IPv6 address in brackets). */
  hostname: string;
  /** `hostname:port`, the port always given. */
  hostPort: string;
}

const MAX_DEPTH = 5;

/** Tried in order; the first code along the causes that matches names the failure. */
const FAILURES: [RegExp, (host: string, hostPort: string, chain: readonly Link[]) => string][] = [
  [/^(ENOTFOUND|EAI_NONAME|EAI_FAIL|EAI_NODATA|EAI_AGAIN)$/, (host) => `cannot resolve host ${host}`],
  [/^ECONNREFUSED$/, (_, hostPort) => `connection refused ${hostPort}`],
  [
    /^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT)$/,
    (_, hostPort) => `cannot connect to ${hostPort}: connecting timed out`,
  ],
  [/^(EHOSTUNREACH|ENETUNREACH|ENETDOWN|EHOSTDOWN)$/, (_, hostPort) => `${hostPort} is unreachable`],
  [
    /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/,
    (_, hostPort, chain) => `TLS with ${hostPort} failed: ${innermostMessage(chain)}`,
  ],
  [
    /^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET|UND_ERR_CLOSED)$/,
    (_, hostPort) => `connection to ${hostPort} closed before the response`,
  ],
];

/** Why a request got no response, from the codes along its causes (undici's, maybe an AggregateError). */
export function describeConnectionFailure(
  error: unknown,
  target: ConnectionTarget,
): { code: string | undefined; summary: string } {
  const chain = errorChain(error);
  const codes = chain.flatMap((link) => (typeof link.code === 'string' ? [link.code] : []));
  const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  for (const [pattern, summary] of FAILURES) {
    const code = codes.find((candidate) => pattern.test(candidate));
    if (code !== undefined) return { code, summary: summary(host, target.hostPort, chain) };
  }
  return { code: codes[0], summary: `connection error with ${target.hostPort}: ${describeCause(error)}` };
}

type Link = { code?: unknown; message?: unknown };

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
  const link = chain.findLast(({ message }) => typeof message === 'string' && message !== '');
  return (link?.message as string | undefined) ?? 'unknown error';
}

function describeCause(error: unknown): string {
  const message = messageOf(error);
  const cause = error instanceof Error ? (error.cause as Link | undefined) : undefined;
  const reason =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return reason === '' || message.includes(reason) ? message : `${message} (${reason})`;
}
