import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestLogEntry } from '../admin/request-log.js';
import { HttpError } from '../http/http-error.js';
import type { Principal } from '../http/route.js';

const fingerprint = (key: string) => createHash('sha256').update(key).digest('hex');

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export interface Authenticated {
  principal: Principal;
  style: RequestLogEntry['auth'];
}

/** The identity each key stands for, derived once per key (a SHA-256 per request otherwise). */
const principals = new Map<string, Readonly<Principal>>();
const MAX_CACHED_KEYS = 1024;

function principalOfKey(key: string): Readonly<Principal> {
  let principal = principals.get(key);
  if (principal === undefined) {
    const hash = fingerprint(key);
    principal = {
      workspaceId: `wsp_${hash.slice(0, 12)}`,
      ownerId: `usr_${hash.slice(12, 24)}`,
      organizationId: (Number.parseInt(hash.slice(0, 6), 16) % 100_000) + 1,
    };
    if (principals.size >= MAX_CACHED_KEYS) principals.clear(); // bounded, whatever keys clients try
    principals.set(key, principal);
  }
  return principal;
}

function principalFor(key: string, workspaceHeader: string | undefined): Principal {
  const { workspaceId, ownerId, organizationId } = principalOfKey(key);
  return {
    // Each key is its own workspace and organisation, as with real accounts; X-Workspace-Id picks
    // another workspace for keys that have several.
    workspaceId: workspaceHeader ?? workspaceId,
    ownerId,
    organizationId,
  };
}

/** Mielto takes `Authorization: Bearer <key>` or `x-api-key: <key>`; errors are FastAPI-shaped. */
export function authenticateMielto(req: IncomingMessage, allowed: string[] | undefined): Authenticated {
  const authorization = header(req, 'authorization');
  const bearer = authorization && /^bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  const apiKey = header(req, 'x-api-key');
  const key = bearer || apiKey;
  if (!key) throw new HttpError(401, { detail: 'Not authenticated' }, { 'www-authenticate': 'Bearer' });
  if (allowed && !allowed.includes(key))
    throw new HttpError(401, { detail: 'Invalid API key' }, { 'www-authenticate': 'Bearer' });
  return {
    principal: principalFor(key, header(req, 'x-workspace-id')),
    style: bearer ? 'bearer' : 'x-api-key',
  };
}

/** Melodi takes the `api-key` header. */
export function authenticateMelodi(req: IncomingMessage, allowed: string[] | undefined): Authenticated {
  const key = header(req, 'api-key');
  if (!key) throw new HttpError(401, { error: 'Missing api-key header' });
  if (allowed && !allowed.includes(key)) throw new HttpError(401, { error: 'Invalid API key' });
  return { principal: principalFor(key, undefined), style: 'api-key' };
}
