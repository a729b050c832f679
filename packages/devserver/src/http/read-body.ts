import type { IncomingMessage } from 'node:http';
import type { BodyBudget } from './body-budget.js';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/** The server holds as many body bytes as it may at once; the client should try again shortly. */
export class BodyBudgetExceededError extends Error {
  constructor(readonly limit: number) {
    super(`the server is already holding ${limit} bytes of request bodies`);
  }
}

/** What one request has reserved of the shared budget; the caller releases it when handling ends. */
export interface BodyReservation {
  bytes: number;
}

/**
 * Reads the whole request body, refusing early once it passes `limit` so an oversized upload cannot
 * make the emulator buffer it (a Content-Length over the limit is refused before reading a byte).
 * Every byte buffered is first reserved from `budget`, shared by all requests: a declared Content-Length
 * up front, a chunked body chunk by chunk. A body that alone exceeds the budget's limit is too large (413);
 * one that does not fit next to the others in flight gets a BodyBudgetExceededError (503).
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  budget: BodyBudget,
  reservation: BodyReservation,
): Promise<Buffer> {
  const cap = Math.min(limit, budget.limit);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > cap) return Promise.reject(new BodyTooLargeError(cap));
  if (Number.isFinite(declared) && declared > 0) {
    if (!budget.tryReserve(declared)) return Promise.reject(new BodyBudgetExceededError(budget.limit));
    reservation.bytes += declared;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = (err: Error) => {
      req.off('data', onData);
      chunks.length = 0;
      // Keep draining without storing so the answer can still be written on this connection.
      req.resume();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) return refuse(new BodyTooLargeError(cap));
      // Only a body without Content-Length reaches past its reservation (the parser stops at the length).
      const more = size - reservation.bytes;
      if (more > 0) {
        if (!budget.tryReserve(more)) return refuse(new BodyBudgetExceededError(budget.limit));
        reservation.bytes += more;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.once('error', reject);
    // A client that goes away mid-upload must not leave the promise (and its reservation) pending forever.
    req.once('close', () => reject(new Error('client closed the connection before the body ended')));
  });
}
