// A stand-in model API for the proxy scenario, in its own process: POST / answers instantly with the body
// the bench sent in the `x-answer` header's file (JSON) or as server-sent events, one write per event,
// like an OpenAI-compatible server. Prints its port on stdout.
import { createServer } from 'node:http';

const [json, sse] = JSON.parse(process.argv[2]);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of sse) res.write(event);
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(json);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('disconnect', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
