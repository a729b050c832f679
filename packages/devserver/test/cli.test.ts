import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

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
