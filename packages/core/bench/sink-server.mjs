// A backend that accepts everything and does nothing with it, for measuring how fast the trail itself can
// deliver when the backend costs (almost) nothing: it reads each body to the end, never parses it, and
// answers with the smallest body the client accepts (a conversation id, an empty page, `[]`, `{}`).
// Run in its own process; prints `listening on http://127.0.0.1:<port>`.
import { createServer } from 'node:http';

let conversations = 0;
const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    let body = '{}';
    if (req.method === 'POST' && req.url.startsWith('/api/v1/conversations'))
      body = `{"id":"conv_${++conversations}"}`;
    else if (req.method === 'GET' && req.url.startsWith('/api/v1/conversations'))
      body = '{"data":[],"total_count":0}';
    else if (req.url.startsWith('/api/v1/messages')) body = '[]';
    res.writeHead(req.method === 'POST' ? 201 : 200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
