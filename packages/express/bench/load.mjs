// One load run, in its own process so the load generator does not share the server's event loop:
// autocannon against one URL, printing one JSON line { rps, p50, p99, requests, errors, non2xx }.
// Latency percentiles are computed from autocannon's per-response times (floating-point ms), not
// from its integer-millisecond histogram, so sub-millisecond differences are visible.
// usage: node load.mjs <url> <json-body> <seconds> <connections>
import autocannon from 'autocannon';

const [url, body, seconds, connections] = process.argv.slice(2);
const latencies = [];
const instance = autocannon({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
  duration: Number(seconds),
  connections: Number(connections),
  pipelining: 1,
});
instance.on('response', (_client, _status, _bytes, responseTime) => {
  latencies.push(responseTime);
});
const result = await instance;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.total / (result.duration || Number(seconds)),
    p50: at(0.5),
    p99: at(0.99),
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
  })}\n`,
);
