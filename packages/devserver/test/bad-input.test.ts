import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useDevServer } from './use-dev-server.js';

const dev = useDevServer({ maxBodyBytes: 64 * 1024 });

describe('bad input never crashes the emulator', () => {
  it('422s non-JSON on Mielto (FastAPI json_invalid) and 400s it on Melodi', async () => {
    const mielto = await dev.mielto('/messages', {
      raw: '{"content": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(mielto.status).toBe(422);
    expect(mielto.body.detail[0]).toMatchObject({
      type: 'json_invalid',
      msg: 'JSON decode error',
      loc: ['body', expect.any(Number)],
    });
    const melodi = await dev.melodi('/threads', {
      method: 'PUT',
      raw: 'not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(melodi.status).toBe(400);
    expect(melodi.body.error).toMatch(/JSON/);
  });

  it('refuses a body not declared as JSON', async () => {
    const mielto = await dev.mielto('/messages', {
      raw: 'conversation_id=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(mielto.status).toBe(422);
    expect(mielto.body.detail[0].type).toBe('model_attributes_type');
    const melodi = await dev.melodi('/threads', {
      method: 'PUT',
      raw: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(melodi.status).toBe(415);
  });

  it('413s a body over the limit, declared or streamed, and keeps serving', async () => {
    const big = JSON.stringify({ conversation_id: 'c', content: { content: 'x'.repeat(100 * 1024) } });
    const declared = await dev.mielto('/messages', {
      raw: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(declared.status).toBe(413);
    expect(declared.body.detail).toContain('larger than');
    // A chunked upload has no Content-Length: the limit is enforced while reading.
    const chunked = await fetch(`${dev.server.mieltoBaseUrl}/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(8 * 1024)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit).catch((e: Error) => e);
    if (!(chunked instanceof Error)) expect(chunked.status).toBe(413);
    expect((await dev.mielto('/conversations')).status).toBe(200);
  });

  it('refuses deeply nested JSON cheaply', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const mielto = await dev.mielto('/messages', {
      raw: deep,
      headers: { 'content-type': 'application/json' },
    });
    expect(mielto.status).toBe(422);
    expect(mielto.body.detail[0].msg).toContain('nested deeper');
    const melodi = await dev.melodi('/threads', {
      method: 'PUT',
      raw: deep,
      headers: { 'content-type': 'application/json' },
    });
    expect(melodi.status).toBe(400);
  });

  it('treats __proto__ keys as data: refused where unknown, stored literally in free-form metadata, no pollution', async () => {
    const top = await dev.mielto('/messages', {
      raw: '{"__proto__": {"polluted": true}, "conversation_id": "c", "content": {"content": "x"}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(top.status).toBe(422);
    expect(top.body.detail[0]).toMatchObject({ loc: ['body', '__proto__'], type: 'extra_forbidden' });

    const conversation_id = (await dev.mielto('/conversations', { body: { title: 't' } })).body.id;
    const res = await dev.mielto('/messages', {
      raw: `{"conversation_id": "${conversation_id}", "content": {"content": "x", "meta_data": {"__proto__": {"polluted": true}, "constructor": {"prototype": {"bad": 1}}}}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body[0].meta_data)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).bad).toBeUndefined();

    const melodi = await dev.melodi('/threads', {
      method: 'PUT',
      raw: '{"projectId": 1, "externalId": "p", "messages": [], "metadata": {"__proto__": {"polluted": true}}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(melodi.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers malformed HTTP with 400 and keeps serving', async () => {
    const url = new URL(dev.server.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write('GARBAGE\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => {
        data += d;
      });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toContain('400');
    expect((await dev.mielto('/conversations')).status).toBe(200);
  });

  it('survives a client that disconnects mid-upload', async () => {
    const url = new URL(dev.server.mieltoBaseUrl);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          'POST /api/v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer k\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"conv',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    expect((await dev.mielto('/conversations')).status).toBe(200);
  });
});
