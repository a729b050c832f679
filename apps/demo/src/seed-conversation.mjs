// Sends one short support conversation with a tool call to both emulated backends, exactly as the
// vendors document their APIs (Mielto: create a conversation, then POST /messages; Melodi: PUT the
// full thread). Returns the ids the devserver gave them.
const USER = { id: 'user-ada', name: 'Ada Lovelace', email: 'ada@example.com' };
const THREAD_ID = 'demo-thread-1';

const conversation = [
  { role: 'user', content: 'What is the weather in Paris today?' },
  {
    role: 'assistant',
    content: '',
    toolCall: { id: 'call_weather_1', name: 'get_weather', args: { city: 'Paris' } },
  },
  {
    role: 'tool',
    content: '{"city":"Paris","temperature_c":21,"sky":"sunny"}',
    toolCallId: 'call_weather_1',
    name: 'get_weather',
  },
  { role: 'assistant', content: 'It is sunny in Paris, 21 °C. Enjoy your day!' },
];

async function call(url, init) {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${init.method} ${url} -> ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export async function seedConversation(server) {
  const mieltoHeaders = { authorization: 'Bearer demo-mielto-key' };
  const created = await call(`${server.mieltoBaseUrl}/conversations`, {
    method: 'POST',
    headers: mieltoHeaders,
    body: JSON.stringify({
      user_id: USER.id,
      title: 'Weather in Paris',
      meta_data: { thread_id: THREAD_ID },
    }),
  });
  await call(`${server.mieltoBaseUrl}/messages`, {
    method: 'POST',
    headers: mieltoHeaders,
    body: JSON.stringify({
      conversation_id: created.id,
      enable_memories: false,
      content: conversation.map((m, i) => ({
        content: m.content,
        role: m.role,
        message_type: 'text',
        sender_id: m.role === 'user' ? USER.id : 'demo-agent',
        ...(m.toolCall
          ? {
              tool_calls: [
                {
                  id: m.toolCall.id,
                  type: 'function',
                  function: { name: m.toolCall.name, arguments: JSON.stringify(m.toolCall.args) },
                },
              ],
            }
          : {}),
        meta_data: { position: i, ...(m.toolCallId ? { tool_call_id: m.toolCallId } : {}) },
      })),
    }),
  });

  const melodiThread = await call(`${server.melodiBaseUrl}/threads`, {
    method: 'PUT',
    headers: { 'api-key': 'demo-melodi-key' },
    body: JSON.stringify({
      externalId: THREAD_ID,
      projectId: 1,
      metadata: { model: 'scripted', inputTokens: 42, outputTokens: 17, status: 'ok' },
      externalUser: { externalId: USER.id, name: USER.name, email: USER.email, segments: { plan: 'pro' } },
      messages: conversation.map((m, i) =>
        m.toolCall
          ? {
              externalId: `${THREAD_ID}:${i}`,
              role: m.role,
              type: 'json',
              jsonContent: { toolCalls: [m.toolCall] },
            }
          : m.role === 'tool'
            ? {
                externalId: `${THREAD_ID}:${i}`,
                role: m.role,
                type: 'json',
                jsonContent: { toolCallId: m.toolCallId, name: m.name, output: JSON.parse(m.content) },
              }
            : { externalId: `${THREAD_ID}:${i}`, role: m.role, type: 'markdown', content: m.content },
      ),
    }),
  });
  return { ids: [created.id, String(melodiThread.id)], threadId: THREAD_ID };
}
