// A minimal Mielto + Melodi for benchmarks: real HTTP on loopback, answering at once with the smallest
// valid bodies, counting requests per route. What is measured is the trail and Redis, not a backend.
import { createServer } from 'node:http';

export async function startBackend() {
  const routes = {};
  let next = 0;
  const server = createServer((req, res) => {
    const path = req.url.split('?')[0];
    const route = `${req.method} ${path.replace(/^\/(api\/v1|api\/external)/, '')}`;
    routes[route] = (routes[route] ?? 0) + 1;
    req.resume();
    req.once('end', () => {
      let body = '{}';
      if (route === 'POST /conversations') body = JSON.stringify({ id: `conv_${next++}` });
      else if (route === 'GET /conversations') body = '{"data":[],"total_count":0}';
      else if (route === 'POST /messages') body = '[]';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    mieltoBaseUrl: `${url}/api/v1`,
    melodiBaseUrl: `${url}/api/external`,
    routes,
    reset: () => {
      for (const key of Object.keys(routes)) delete routes[key];
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Turn `k` of a thread over `history` (extended in place): the history, the k-th question and answer. */
export function nextTurn(threadId, history, k) {
  history.push({ id: '', role: 'user', content: `${threadId}: question ${k}, long enough to be a real one` });
  history.push({
    id: '',
    role: 'assistant',
    content: `${threadId}: answer ${k}, about as long as a short reply is`,
  });
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, k)).toISOString();
  return {
    id: `${threadId}-${k}`,
    threadId,
    messages: history.slice(),
    startedAt: at,
    endedAt: at,
    status: 'ok',
    source: 'manual',
  };
}
