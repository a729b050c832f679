import { describe, expect, it, vi } from 'vitest';
import { useDevServer } from './use-dev-server.js';

const dev = useDevServer({ faultSeed: 7 });

const list = () => dev.mielto('/conversations');
const upsert = () =>
  dev.melodi('/threads', { method: 'PUT', body: { projectId: 1, externalId: 't', messages: [] } });

describe('fault injection', () => {
  it('fails with a given status in the backend error shape, then recovers when cleared', async () => {
    for (const status of [500, 502, 503]) {
      dev.server.setFaults([{ route: 'GET /api/v1/conversations', status }]);
      const res = await list();
      expect(res.status).toBe(status);
      expect(res.body.detail).toContain('injected fault');
    }
    dev.server.setFaults([{ route: 'melodi', status: 503 }]);
    const melodi = await upsert();
    expect(melodi.status).toBe(503);
    expect(melodi.body.error).toContain('injected fault');
    dev.server.clearFaults();
    expect((await list()).status).toBe(200);
  });

  it('sends Retry-After with 429', async () => {
    dev.server.setFaults([{ route: 'mielto', status: 429, retryAfter: 2 }]);
    const res = await list();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it('answers 413 for a route, like a gateway that refuses the batch size', async () => {
    dev.server.setFaults([{ route: 'POST /api/v1/messages', status: 413 }]);
    const res = await dev.mielto('/messages', { body: { conversation_id: 'c', content: { content: 'x' } } });
    expect(res.status).toBe(413);
    expect((await list()).status).toBe(200);
  });

  it('fails only the next N requests', async () => {
    dev.server.setFaults([{ route: '*', status: 500, times: 2 }]);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await list()).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
  });

  it('fails about the given fraction of requests, reproducibly for a seed', async () => {
    dev.server.setFaults([{ route: '/api/v1/conversations', status: 503, rate: 0.3 }]);
    let failed = 0;
    for (let i = 0; i < 200; i++) if ((await list()).status === 503) failed++;
    expect(failed).toBeGreaterThan(40);
    expect(failed).toBeLessThan(80);
  });

  it('stops a fault after durationMs', async () => {
    // The fault's clock (Date) is moved by hand: on a loaded machine the first request could otherwise
    // arrive after the 150 ms were over.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const injected = dev.server.stats().faultsInjected;
      dev.server.setFaults([{ route: '*', status: 503, durationMs: 150 }]);
      expect((await list()).status).toBe(503);
      vi.advanceTimersByTime(149);
      expect((await list()).status).toBe(503);
      vi.advanceTimersByTime(1);
      expect((await list()).status).toBe(200);
      expect(dev.server.stats().faultsInjected - injected).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('adds latency', async () => {
    dev.server.setFaults([{ route: '*', latencyMs: 120 }]);
    const t0 = performance.now();
    expect((await list()).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('hangs until the client times out, and the server keeps serving', async () => {
    dev.server.setFaults([{ route: 'GET /api/v1/conversations', hang: true }]);
    const t0 = performance.now();
    const err = await fetch(`${dev.server.mieltoBaseUrl}/conversations`, {
      headers: { authorization: 'Bearer k' },
      signal: AbortSignal.timeout(300),
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('TimeoutError');
    expect(performance.now() - t0).toBeLessThan(20_000); // finishing at all proves the client gave up
    expect((await upsert()).status).toBe(200);
  });

  it('drops the connection without an answer', async () => {
    dev.server.setFaults([{ route: 'melodi', drop: true }]);
    const err = await fetch(`${dev.server.melodiBaseUrl}/threads`, {
      method: 'PUT',
      headers: { 'api-key': 'k' },
      body: '{}',
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TypeError); // undici: "fetch failed" (socket closed)
    expect((await list()).status).toBe(200);
  });

  it('stores the data, then drops the connection or hangs (an answer lost after the work was done)', async () => {
    const created = await dev.mielto('/conversations', { body: { title: 't' } });
    const id = created.body.id as string;
    const post = (signal?: AbortSignal) =>
      fetch(`${dev.server.mieltoBaseUrl}/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer dev-key', 'content-type': 'application/json' },
        body: JSON.stringify({ conversation_id: id, content: { content: 'stored anyway' } }),
        signal,
      }).catch((e: Error) => e);
    dev.server.setFaults([{ route: 'POST /api/v1/messages', after: 'drop', times: 1 }]);
    expect(await post()).toBeInstanceOf(TypeError); // undici: "fetch failed" (socket closed)
    dev.server.setFaults([{ route: 'POST /api/v1/messages', after: 'hang', times: 1 }]);
    expect(((await post(AbortSignal.timeout(300))) as Error).name).toBe('TimeoutError');
    const thread = await dev.admin(`/mielto/conversations/${id}`);
    expect(thread.body.messages.map((m: { content: string }) => m.content)).toEqual([
      'stored anyway',
      'stored anyway',
    ]);
  });

  it('stores the data, then answers its status with a broken body', async () => {
    dev.server.setFaults([{ route: 'POST /api/v1/conversations', replaceBody: '<html>oops', times: 1 }]);
    const res = await dev.mielto('/conversations', { body: { title: 'kept' } });
    expect(res.status).toBe(201);
    expect(res.body).toBe('<html>oops');
    expect((await list()).body.data.map((c: { title: string }) => c.title)).toEqual(['kept']);
  });

  it('never applies to the /_devserver read-back API', async () => {
    dev.server.setFaults([{ route: '*', status: 500 }]);
    expect((await dev.admin('/stats')).status).toBe(200);
  });

  it('is settable at runtime over HTTP, validated, listed and cleared', async () => {
    const set = await dev.admin('/faults', {
      method: 'PUT',
      body: [{ route: 'mielto', status: 502, times: 1 }],
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual([expect.objectContaining({ route: 'mielto', status: 502, times: 1, hits: 0 })]);
    const added = await dev.admin('/faults', { method: 'POST', body: { route: 'melodi', latencyMs: 1 } });
    expect(added.body).toHaveLength(2);
    expect((await list()).status).toBe(502);
    expect((await dev.admin('/faults')).body).toHaveLength(1); // the times:1 rule is used up
    const bad = await dev.admin('/faults', {
      method: 'POST',
      body: { route: 'mielto', rate: 3, status: 500 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('rate');
    expect((await dev.admin('/faults', { method: 'DELETE' })).body).toEqual([]);
  });

  it('takes faults at start-up', async () => {
    const { startDevServer } = await import('../src/index.js');
    const server = await startDevServer({ faults: [{ route: '*', status: 503, times: 1 }] });
    try {
      const first = await fetch(`${server.mieltoBaseUrl}/conversations`, { headers: { 'x-api-key': 'k' } });
      const second = await fetch(`${server.mieltoBaseUrl}/conversations`, { headers: { 'x-api-key': 'k' } });
      expect([first.status, second.status]).toEqual([503, 200]);
    } finally {
      await server.close();
    }
  });
});
