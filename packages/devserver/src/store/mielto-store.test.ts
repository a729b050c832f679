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

describe('MieltoStore.listConversations', () => {
  /** 30 conversations over two workspaces and three users (one of them none), some with a title and collection. */
  function seeded(): MieltoStore {
    const store = new MieltoStore(() => {});
    for (let i = 0; i < 30; i++) {
      store.createConversation({
        workspace_id: i % 5 === 0 ? 'w2' : 'w1',
        owner_id: 'o',
        user_id: ['ada', 'bob', null][i % 3],
        title: i % 4 === 0 ? `Weather ${i}` : `chat ${i}`,
        collections: i % 2 === 0 ? ['c1'] : [],
      });
    }
    return store;
  }

  /** What the listing was before its index: a scan of every conversation, newest first. */
  function scanned(store: MieltoStore, query: Parameters<MieltoStore['listConversations']>[0]) {
    const search = query.search?.toLowerCase();
    const matches = store
      .allConversations()
      .filter(
        (c) =>
          c.workspace_id === query.workspaceId &&
          (!query.status || c.status === query.status) &&
          (!query.userId || c.user_id === query.userId) &&
          (!query.collectionId || c.collections.includes(query.collectionId)) &&
          (!search || (c.title ?? '').toLowerCase().includes(search)),
      )
      .reverse();
    return { data: matches.slice(query.skip, query.skip + query.limit), total_count: matches.length };
  }

  it('lists newest first and pages exactly as a scan of every conversation does, by user or not', () => {
    const store = seeded();
    for (const workspaceId of ['w1', 'w2', 'w3']) {
      for (const userId of [undefined, '', 'ada', 'bob', 'eve']) {
        for (const filters of [{}, { status: 'active' }, { search: 'WEATHER' }, { collectionId: 'c1' }]) {
          for (const [skip, limit] of [
            [0, 1000],
            [0, 3],
            [3, 3],
            [7, 100],
            [40, 5],
          ] as const) {
            const query = { workspaceId, userId, skip, limit, ...filters };
            expect(store.listConversations(query)).toEqual(scanned(store, query));
          }
        }
      }
    }
    const newest = store.listConversations({ workspaceId: 'w1', userId: 'ada', skip: 0, limit: 2 });
    expect(newest.data.map((c) => c.title)).toEqual(['chat 27', 'Weather 24']);
  });

  it('keeps its index across toJSON and load, and clear empties it', () => {
    const store = seeded();
    const copy = new MieltoStore(() => {});
    copy.load(JSON.parse(JSON.stringify(store.toJSON())));
    const query = { workspaceId: 'w1', userId: 'bob', skip: 1, limit: 4 };
    expect(copy.listConversations(query)).toEqual(store.listConversations(query));
    copy.clear();
    expect(copy.listConversations(query)).toEqual({ data: [], total_count: 0 });
  });
});
