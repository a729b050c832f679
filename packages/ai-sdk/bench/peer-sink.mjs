// A loopback sink for the peers' HTTP clients (PostHog, Langfuse, …), in a child process so that its own
// CPU time (parsing the requests it receives) is not charged to the peers: answers every request 200 `{}`
// and counts it; `GET /__counts` returns the counts.
import { spawn } from 'node:child_process';

const SINK_SOURCE = `
const counts = {};
const server = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const key = req.method + ' ' + req.url.split('?')[0];
    if (key === 'GET /__counts') { res.end(JSON.stringify(counts)); return; }
    counts[key] = (counts[key] || 0) + 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/**
 * Starts the sink; `url` is its base URL, `process` the child (kill it when done). `nice`: run it at a lower
 * priority, as core's bench-kit does the devserver, so both sides' backends are treated alike.
 */
export async function startPeerSink({ nice = 0 } = {}) {
  const [command, args] =
    nice > 0
      ? ['nice', ['-n', String(nice), process.execPath, '-e', SINK_SOURCE]]
      : [process.execPath, ['-e', SINK_SOURCE]];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (data) => resolve(Number(String(data).trim())));
    child.once('exit', (code) => reject(new Error(`the sink exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, process: child };
}
