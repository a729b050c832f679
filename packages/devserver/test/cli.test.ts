import { execFile, spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Starts the CLI and resolves with its URL and everything it printed by then (the banner). */
async function startCli(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args]);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      // The banner ends with the export lines and a blank line.
      const match = /listening on (http:\S+)[\s\S]*MELODI_BASE_URL=\S+\n\n/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
  });
  const stop = async () => {
    child.kill('SIGTERM');
    return new Promise((resolve) => child.once('exit', resolve));
  };
  return { child, url, banner: () => out, stop };
}

/** Runs a command to its end and returns its exit code, stdout and stderr. */
function runToEnd(file: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('chattrail-devserver CLI', () => {
  it('prints help', async () => {
    const child = spawn(process.execPath, [cli, '--help']);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('--port');
  });

  it('serves on the given port, logs requests and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--mielto-key', 'cli-key']);
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const match = /listening on (http:\S+)/.exec(out);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
    });
    const ok = await fetch(`${url}/api/v1/conversations`, { headers: { 'x-api-key': 'cli-key' } });
    const denied = await fetch(`${url}/api/v1/conversations`, { headers: { 'x-api-key': 'other' } });
    expect([ok.status, denied.status]).toEqual([200, 401]);
    // The child logs the request as it answers; its output may reach us a while later on a loaded machine.
    await vi.waitFor(() => expect(out).toContain('GET /api/v1/conversations 200'), { timeout: 10_000 });
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('answers only loopback Hosts and --allowed-host names', async () => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--quiet', '--allowed-host', 'dev.example']);
    let out = '';
    const url = new URL(
      await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          const match = /listening on (http:\S+)/.exec(out);
          if (match) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
      }),
    );
    const statusFor = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request({
          host: url.hostname,
          port: url.port,
          path: '/_devserver/health',
          headers: { host },
          agent: false,
        })
          .on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject)
          .end();
      });
    expect(await statusFor(`localhost:${url.port}`)).toBe(200);
    expect(await statusFor('dev.example')).toBe(200);
    expect(await statusFor('evil.example')).toBe(403);
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  });

  it('prints the export lines for its URL in the start-up banner', async () => {
    const server = await startCli(['--port', '0', '--quiet', '--mielto-key', 'm-key']);
    try {
      const banner = server.banner();
      expect(banner).toContain(`export MIELTO_API_KEY=m-key\nexport MIELTO_BASE_URL=${server.url}/api/v1\n`);
      expect(banner).toContain('export MELODI_API_KEY=dev-melodi-key\nexport MELODI_PROJECT_ID=1\n');
      expect(banner).toContain(`export MELODI_BASE_URL=${server.url}/api/external\n`);
      // The port was 0, so the hint names the one it got.
      expect(banner).toContain(`--print-env --port ${new URL(server.url).port})`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('--print-env prints only the export lines, exits, and eval in a shell points an app at a running server', async () => {
    const server = await startCli(['--port', '0', '--quiet']);
    try {
      const port = new URL(server.url).port;
      const printed = await runToEnd(process.execPath, [cli, '--print-env', '--port', port]);
      expect(printed.code).toBe(0);
      expect(printed.stdout).toBe(
        [
          'export MIELTO_API_KEY=dev-mielto-key',
          `export MIELTO_BASE_URL=${server.url}/api/v1`,
          'export MELODI_API_KEY=dev-melodi-key',
          'export MELODI_PROJECT_ID=1',
          `export MELODI_BASE_URL=${server.url}/api/external`,
          '',
        ].join('\n'),
      );
      expect(printed.stderr).toBe(''); // the server answers, so no note
      // As the README says: eval "$(chattrail-devserver --print-env …)", then the app reads the variables.
      const script =
        'eval "$("$NODE" "$CLI" --print-env --port "$PORT")" && ' +
        '"$NODE" -e "fetch(process.env.MIELTO_BASE_URL + \'/conversations\', { headers: { \'x-api-key\': process.env.MIELTO_API_KEY } }).then((r) => process.stdout.write(String(r.status)))"';
      const shell = await runToEnd('sh', ['-c', script], {
        ...process.env,
        NODE: process.execPath,
        CLI: cli,
        PORT: port,
      });
      expect(shell).toMatchObject({ code: 0, stdout: '200' });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('--print-env quotes keys for the shell and notes on stderr when no server answers', async () => {
    // Port 9 (discard) on loopback: nothing listens there.
    const printed = await runToEnd(process.execPath, [
      cli,
      '--print-env',
      '--port',
      '9',
      '--mielto-key',
      "it's $HOME",
    ]);
    expect(printed.code).toBe(0);
    expect(printed.stdout.split('\n')[0]).toBe(`export MIELTO_API_KEY='it'\\''s $HOME'`);
    expect(printed.stderr).toContain('nothing answers at http://127.0.0.1:9');
    const echoed = await runToEnd('sh', ['-c', `${printed.stdout} printf %s "$MIELTO_API_KEY"`]);
    expect(echoed.stdout).toBe("it's $HOME");
  });

  it('--print-env started beside a server that is not up yet waits for it', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    // As in `chattrail-devserver & eval "$(chattrail-devserver --print-env)"`: the order is not guaranteed.
    const printing = runToEnd(process.execPath, [cli, '--print-env', '--port', String(port)]);
    const server = await startCli(['--port', String(port), '--quiet']);
    try {
      const printed = await printing;
      expect(printed.code).toBe(0);
      expect(printed.stdout).toContain(`export MIELTO_BASE_URL=http://127.0.0.1:${port}/api/v1\n`);
      expect(printed.stderr).toBe('');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('--print-env refuses port 0', async () => {
    const printed = await runToEnd(process.execPath, [cli, '--print-env', '--port', '0']);
    expect(printed.code).toBe(1);
    expect(printed.stdout).toBe('');
    expect(printed.stderr).toContain('--print-env needs the fixed --port');
  });

  it('answers a base URL missing /api/v1 with a 404 that says what to set', async () => {
    const server = await startCli(['--port', '0']);
    try {
      const response = await fetch(`${server.url}/conversations`, { headers: { 'x-api-key': 'k' } });
      expect(response.status).toBe(404);
      const body = (await response.json()) as { detail: string };
      expect(body.detail).toContain(
        `did you mean GET /api/v1/conversations? Set MIELTO_BASE_URL=${server.url}/api/v1`,
      );
      const melodi = await fetch(`${server.url}/api/v1/threads`, {
        method: 'PUT',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: '{}',
      });
      expect(melodi.status).toBe(404);
      expect(((await melodi.json()) as { error: string }).error).toContain(
        `Set MELODI_BASE_URL=${server.url}/api/external`,
      );
      // The terminal shows it too, with the hint.
      for (let i = 0; i < 100 && !server.banner().includes('GET /conversations 404'); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(server.banner()).toContain('GET /conversations 404 (No devserver route GET /conversations.');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('fails with a clear message on a bad port', async () => {
    const child = spawn(process.execPath, [cli, '--port', 'abc']);
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
    expect(err).toContain('--port');
  });
});
