import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

// undici is an optional peer dependency that `@chattrail/core/node` loads when `undiciTransport()` is
// called. These run the BUILT entry (`pnpm build` first; `pnpm test` does) in a child Node, as an app would.
const run = promisify(execFile);
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const ESM = (entry: string) =>
  `import(${JSON.stringify(entry)}).then((m) => { try { m.undiciTransport(); console.log('made'); } catch (e) { console.log(e.name + ': ' + e.message); } })`;
const CJS = (entry: string) =>
  `const m = require(${JSON.stringify(entry)}); try { m.undiciTransport(); console.log('made'); } catch (e) { console.log(e.name + ': ' + e.message); }`;

describe('undici, an optional peer of @chattrail/core/node', () => {
  it('loads the entry without undici and says how to install it when a transport is asked for', async () => {
    // A copy of dist/ where no node_modules is above: undici cannot be found.
    const dir = mkdtempSync(join(tmpdir(), 'chattrail-no-undici-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(dist, dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    for (const [code, entry] of [
      [ESM, join(dir, 'node.js')],
      [CJS, join(dir, 'node.cjs')],
    ] as const) {
      // Without NODE_PATH, which pnpm sets to its store of hoisted packages (undici among them).
      const env = { ...process.env, NODE_PATH: '' };
      const { stdout } = await run(process.execPath, ['-e', code(entry)], { cwd: dir, env });
      expect(stdout.trim()).toBe(
        'ChatTrailError: undiciTransport() needs the undici package, an optional peer dependency of @chattrail/core: npm i undici',
      );
    }
  });

  it('finds an installed undici from both builds', async () => {
    for (const [code, entry] of [
      [ESM, join(dist, 'node.js')],
      [CJS, join(dist, 'node.cjs')],
    ] as const) {
      const { stdout } = await run(process.execPath, ['-e', code(entry)]);
      expect(stdout.trim()).toBe('made');
    }
  });

  it('lets a process end while its connections are idle, kept alive', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.end('{}');
    });
    server.keepAliveTimeout = 120_000; // the server would hold the connection open well past the test
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const script = `const { undiciTransport } = require(${JSON.stringify(join(dist, 'node.cjs'))});
undiciTransport()({ method: 'POST', url: ${JSON.stringify(url)}, headers: {}, body: '{}', signal: new AbortController().signal, discardBody: true })
  .then((r) => console.log(r.status));`;
    // Generous: the process must end on its own, long before the server's keep-alive would end it.
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 60_000 });
    expect(stdout.trim()).toBe('200');
  });
});
