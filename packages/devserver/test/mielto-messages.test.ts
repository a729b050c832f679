import { describe, expect, it } from 'vitest';
import { useDevServer } from './use-dev-server.js';

const dev = useDevServer();

async function newConversation(extra: Record<string, unknown> = {}): Promise<string> {
  return (await dev.mielto('/conversations', { body: { user_id: 'user-1', title: 't', ...extra } })).body.id;
}

describe('POST /api/v1/messages', () => {
  it('creates one message from a single object and answers 201 with MessageRead[]', async () => {
    const conversation_id = await newConversation();
    const res = await dev.mielto('/messages', {
      body: {
        conversation_id,
        content: { content: 'Hello, how are you?', role: 'user', message_type: 'text' },
        enable_memories: false,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toHaveLength(1);
    const [m] = res.body;
    expect(m).toMatchObject({
      conversation_id,
      content: 'Hello, how are you?',
      role: 'user',
      message_type: 'text',
      sender_id: 'user-1',
    });
    for (const key of ['id', 'workspace_id', 'checksum', 'created_at', 'updated_at', 'sent_at'])
      expect(m[key], key).toBeTypeOf('string');
    for (const key of ['tool_calls', 'tags', 'attachments', 'parent_message_id', 'meta_data'])
      expect(m[key], key).toBeNull();
  });

  it('creates many messages in order from an array, keeping every field', async () => {
    const conversation_id = await newConversation();
    const content = [
      {
        content: 'What is the weather in Paris?',
        role: 'user',
        sender_id: 'user-1',
        created_at: '2025-06-10T10:28:06.658Z',
        meta_data: { id: 'm1' },
      },
      {
        content: '',
        role: 'assistant',
        sender_id: 'agent',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
        ],
        tags: ['tool'],
      },
      {
        content: '{"temp":21}',
        role: 'tool',
        message_type: 'tool_result',
        parent_message_id: 'x',
        attachments: [{ kind: 'x' }],
      },
    ];
    const res = await dev.mielto('/messages', { body: { conversation_id, content, enable_memories: true } });
    expect(res.status).toBe(201);
    expect(res.body.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(res.body[0].sent_at).toBe('2025-06-10T10:28:06.658Z');
    expect(res.body[0].meta_data).toEqual({ id: 'm1' });
    expect(res.body[1].tool_calls[0].function.name).toBe('weather');
    expect(res.body[1].tags).toEqual(['tool']);
    expect(res.body[2].message_type).toBe('tool_result');
    const stored = await dev.admin(`/mielto/conversations/${conversation_id}`);
    expect(stored.body.messages.map((m: { content: string }) => m.content)).toEqual(
      content.map((m) => m.content),
    );
  });

  it("accepts the quickstart's bare array body, with the conversation in the query", async () => {
    const conversation_id = await newConversation();
    const res = await dev.mielto(`/messages?conversation_id=${conversation_id}`, {
      body: [
        { role: 'user', created_at: '2025-06-10T10:28:06.658Z', sender_id: '326166736', content: 'message' },
        {
          role: 'assistant',
          created_at: '2025-06-10T10:28:11.64Z',
          sender_id: '326166736',
          content: 'message body',
        },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body).toHaveLength(2);
    expect(res.body[1].sent_at).toBe('2025-06-10T10:28:11.64Z');
  });

  it('422s bodies that break the OpenAPI schema, with FastAPI locations', async () => {
    const conversation_id = await newConversation();
    const cases: [unknown, (string | number)[], string][] = [
      [{ conversation_id }, ['body', 'content'], 'missing'],
      [{ conversation_id, content: { role: 'user' } }, ['body', 'content', 'content'], 'missing'],
      [
        { conversation_id, content: [{ content: 'ok' }, { content: 42 }] },
        ['body', 'content', 1, 'content'],
        'string_type',
      ],
      [
        { conversation_id, content: { content: 'x', tool_calls: 'nope' } },
        ['body', 'content', 'tool_calls'],
        'list_type',
      ],
      [
        { conversation_id, content: { content: 'x', tags: [1] } },
        ['body', 'content', 'tags', 0],
        'string_type',
      ],
      [
        { conversation_id, content: { content: 'x', created_at: 'yesterday' } },
        ['body', 'content', 'created_at'],
        'datetime_from_date_parsing',
      ],
      [
        { conversation_id, content: { content: 'x', meta_data: [1] } },
        ['body', 'content', 'meta_data'],
        'dict_type',
      ],
      [
        { conversation_id, content: { content: 'x', unknown_field: 1 } },
        ['body', 'content', 'unknown_field'],
        'extra_forbidden',
      ],
      [{ conversation_id, content: 'just text' }, ['body', 'content'], 'model_attributes_type'],
      [
        { conversation_id, content: { content: 'x' }, enable_memories: 'yes' },
        ['body', 'enable_memories'],
        'bool_type',
      ],
      ['a string', ['body'], 'model_attributes_type'],
    ];
    for (const [body, loc, type] of cases) {
      const res = await dev.mielto('/messages', { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.detail, JSON.stringify(body)).toEqual(
        expect.arrayContaining([expect.objectContaining({ loc, type, msg: expect.any(String) })]),
      );
    }
  });

  it('422s a missing conversation_id (required in practice) and 404s an unknown one', async () => {
    const missing = await dev.mielto('/messages', { body: { content: { content: 'x' } } });
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0].loc).toEqual(['body', 'conversation_id']);
    const unknown = await dev.mielto('/messages', {
      body: { conversation_id: 'conv_nope', content: { content: 'x' } },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('conv_nope');
  });

  it('404s a conversation of another workspace', async () => {
    const conversation_id = await newConversation();
    const res = await dev.mielto('/messages', {
      body: { conversation_id, content: { content: 'x' } },
      headers: { 'x-workspace-id': 'wsp_other' },
    });
    expect(res.status).toBe(404);
  });

  it('honours X-Workspace-Id on both the conversation and its messages', async () => {
    const headers = { 'x-workspace-id': 'wsp_team' };
    const conversation_id = (await dev.mielto('/conversations', { body: { title: 't' }, headers })).body.id;
    const res = await dev.mielto('/messages', {
      body: { conversation_id, content: { content: 'x' } },
      headers,
    });
    expect(res.status).toBe(201);
    expect(res.body[0].workspace_id).toBe('wsp_team');
  });

  it('405s a wrong method and 404s an unknown path in the FastAPI shape', async () => {
    const wrongMethod = await dev.mielto('/messages', { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
    const unknown = await dev.mielto('/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Not Found' });
  });
});
