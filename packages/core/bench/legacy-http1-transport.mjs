// Bench only: the hand-written HTTP/1 client that undiciTransport() replaced (createNodeFetch()'s raw
// request, src/node/http1-* before issue 27), as a Transport, for measuring the two side by side. It is
// loaded from a build of the core before the change, named by CHATTRAIL_LEGACY_CORE (its dist/ folder):
//   git worktree add /tmp/legacy f5884a1 (main before the change) && cd /tmp/legacy && pnpm install &&
//   pnpm --filter @chattrail/core build
//   CHATTRAIL_LEGACY_CORE=/tmp/legacy/packages/core/dist node bench/transport-compare.mjs
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.CHATTRAIL_LEGACY_CORE;
if (!dir)
  throw new Error('set CHATTRAIL_LEGACY_CORE to the dist/ folder of a core build with createNodeFetch');
const { createNodeFetch } = await import(pathToFileURL(join(dir, 'node.js')).href);

/** Options as createNodeFetch() took them (`maxSockets`); `connections` is undiciTransport's name for it. */
export function legacyHttp1Transport({ connections = 32 } = {}) {
  const raw = createNodeFetch({ maxSockets: connections, proxyEnv: null })[
    Symbol.for('chattrail.rawRequest')
  ];
  const transport = (request) =>
    raw(request.url, { ...request, discard: request.discardBody }).then((response) => ({
      status: response.status,
      // As the raw request had them: built only when read (errors only).
      get headers() {
        return response.headers();
      },
      body: response.text,
    }));
  transport.close = async () => {};
  return transport;
}
