import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (for a child server that takes its port as an argument). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}
