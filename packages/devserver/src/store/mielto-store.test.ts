import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MieltoStore, newId } from './mielto-store.js';

describe('newId', () => {
  it('gives distinct Mielto-shaped ids', () => {
    const ids = Array.from({ length: 10_000 }, () => newId('msg'));
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^msg_[0-9a-f]{17}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('MieltoStore.appendMessages', () => {
  it('sets checksum to the SHA-256 hex digest of the content', () => {
    const store = new MieltoStore(() => {});
    const conversation = store.createConversation({ workspace_id: 'w', owner_id: 'o' });
    const [message] = store.appendMessages(conversation, [{ content: 'héllo 😀' }], {
      senderId: 's',
      ownerId: 'o',
    });
    expect(message.checksum).toBe(createHash('sha256').update('héllo 😀').digest('hex'));
  });
});
