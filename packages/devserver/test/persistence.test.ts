import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevServer } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };

describe('persistPath', () => {
  it('keeps conversations, messages, threads and users across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devserver-'));
    dirs.push(dir);
    const persistPath = join(dir, 'data.json');

    const first = await startDevServer({ persistPath });
    const conv = await (
      await fetch(`${first.mieltoBaseUrl}/conversations`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ title: 'kept' }),
      })
    ).json();
    await fetch(`${first.mieltoBaseUrl}/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        conversation_id: conv.id,
        content: [{ content: 'a' }, { content: 'b', role: 'assistant' }],
      }),
    });
    await fetch(`${first.melodiBaseUrl}/threads`, {
      method: 'PUT',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({
        projectId: 1,
        externalId: 't1',
        messages: [{ externalId: 'm1', role: 'user', content: 'hi' }],
        externalUser: { externalId: 'u1', segments: { plan: 'pro' } },
      }),
    });
    await first.close();

    const second = await startDevServer({ persistPath });
    try {
      const listed = await (await fetch(`${second.mieltoBaseUrl}/conversations`, { headers })).json();
      expect(listed.data.map((c: { id: string }) => c.id)).toEqual([conv.id]);
      const readBack = await (await fetch(`${second.url}/_devserver/mielto/conversations/${conv.id}`)).json();
      expect(readBack.messages.map((m: { content: string }) => m.content)).toEqual(['a', 'b']);
      // Upserting the same thread after a restart updates it instead of creating a second one.
      const again = await (
        await fetch(`${second.melodiBaseUrl}/threads`, {
          method: 'PUT',
          headers: { 'api-key': 'k', 'content-type': 'application/json' },
          body: JSON.stringify({
            projectId: 1,
            externalId: 't1',
            messages: [{ externalId: 'm2', role: 'assistant', content: 'yo' }],
            externalUser: { externalId: 'u1' },
          }),
        })
      ).json();
      expect(again.messages.map((m: { externalId: string }) => m.externalId)).toEqual(['m1', 'm2']);
      expect(again.externalUser.segments[0].name).toBe('pro');
      expect(second.stats().melodi.threads).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('refuses to start on a corrupt data file instead of overwriting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devserver-'));
    dirs.push(dir);
    const persistPath = join(dir, 'data.json');
    writeFileSync(persistPath, '{not json');
    await expect(startDevServer({ persistPath })).rejects.toThrow(/cannot read devserver data/);
  });
});
