// The benchmark's loopback sink, run on a worker thread: answers Mielto, Melodi and Langfuse's OTLP
// endpoint with minimal valid bodies and discards what it receives. Posts its URL, then its counters
// whenever asked.
import { createServer } from 'node:http';
import { parentPort } from 'node:worker_threads';

let requests = 0;
let bytes = 0;
let conversations = 0;

const server = createServer((req, res) => {
  req.on('data', (chunk) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    requests++;
    const url = req.url ?? '';
    let status = 200;
    let body = {};
    if (req.method === 'GET' && url.startsWith('/api/v1/conversations')) body = { data: [], total_count: 0 };
    else if (req.method === 'POST' && url.startsWith('/api/v1/conversations')) {
      status = 201;
      const now = new Date().toISOString();
      body = {
        id: `conv_${++conversations}`,
        title: null,
        status: 'active',
        meta_data: {},
        created_at: now,
        updated_at: now,
      };
    } else if (req.method === 'POST' && url.startsWith('/api/v1/messages')) {
      status = 201;
      body = [];
    } else if (req.method === 'PUT' && url.startsWith('/api/external/threads'))
      body = { id: 1, messages: [] };
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
});

server.listen(0, '127.0.0.1', () => parentPort.postMessage(`http://127.0.0.1:${server.address().port}`));
parentPort.on('message', () => parentPort.postMessage({ requests, bytes }));
