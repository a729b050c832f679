/**
 * Threads written the way @chattrail/core's destinations write them (to-mielto-message.ts,
 * mielto-destination.ts, to-melodi-thread.ts), sent to a devserver over its real APIs: the viewer is
 * tested on the shapes it meets in practice. The devserver does not depend on core, so the shapes are
 * spelled out here; apps/demo runs the real core against the viewer's data route.
 */
export type Send = (method: string, path: string, body: unknown) => Promise<any>;

const MODEL = 'gpt-4o-mini';

/** A turn's figures as core puts them on the message that ends it in Mielto. */
function turnEnd(turnId: string, figures: Record<string, unknown>) {
  return { turn_id: turnId, status: 'ok', model: MODEL, provider: 'openai', ...figures };
}

/**
 * - `trip-1`, in both backends: four AI SDK turns (one per model call) with two tool calls, the second
 *   of which failed, then the model call after it failed (Melodi: error in the thread metadata).
 * - `ok-1`, in both backends, one plain turn.
 * - `fail-1`, in both backends: the only turn failed before answering (Mielto holds just the question).
 * - `aborted-1`, Melodi only: the user stopped the answer.
 */
export async function sendChattrailThreads(send: Send): Promise<{ tripConversation: string }> {
  const trip = await send('POST', '/api/v1/conversations', {
    user_id: 'user-grace',
    title: 'Plan a day in Lyon',
    meta_data: { thread_id: 'trip-1', source: 'chattrail', adapter: 'ai-sdk', agent_id: 'assistant' },
  });
  const m = (id: string, turn: string, position: number, extra: Record<string, unknown> = {}) => ({
    chattrail_message_id: id,
    thread_id: 'trip-1',
    turn_id: turn,
    position,
    ...extra,
  });
  await send('POST', '/api/v1/messages', {
    conversation_id: trip.id,
    enable_memories: false,
    content: [
      {
        role: 'user',
        content: 'What is the weather in Lyon tomorrow?',
        sender_id: 'user-grace',
        meta_data: m('m1', 't1', 0),
      },
      {
        role: 'assistant',
        content: '',
        sender_id: 'assistant',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
        ],
        meta_data: m(
          'm2',
          't1',
          1,
          turnEnd('t1', {
            usage: { inputTokens: 120, outputTokens: 18, totalTokens: 138 },
            latency_ms: 850,
            time_to_first_token_ms: 310,
          }),
        ),
      },
      {
        role: 'tool',
        content: '{"city":"Lyon","temperature_c":17,"sky":"rain"}',
        sender_id: 'assistant',
        meta_data: m('m3', 't2', 2, { tool_call_id: 'call_1', tool_name: 'get_weather', is_error: false }),
      },
      {
        role: 'assistant',
        content: 'Rain and 17 °C in Lyon tomorrow, so a museum day it is.',
        sender_id: 'assistant',
        meta_data: m(
          'm4',
          't2',
          3,
          turnEnd('t2', {
            usage: {
              inputTokens: 180,
              outputTokens: 24,
              totalTokens: 204,
              reasoningTokens: 8,
              cachedInputTokens: 96,
            },
            latency_ms: 1420,
            time_to_first_token_ms: 390,
          }),
        ),
      },
      {
        role: 'user',
        content: 'Book me a ticket for the Musée des Confluences.',
        sender_id: 'user-grace',
        meta_data: m('m5', 't3', 4),
      },
      {
        role: 'assistant',
        content: '',
        sender_id: 'assistant',
        tool_calls: [
          {
            id: 'call_2',
            type: 'function',
            function: { name: 'book_ticket', arguments: '{"museum":"Confluences","day":"tomorrow"}' },
          },
        ],
        meta_data: m(
          'm6',
          't3',
          5,
          turnEnd('t3', {
            usage: { inputTokens: 230, outputTokens: 21, totalTokens: 251 },
            latency_ms: 760,
            time_to_first_token_ms: 280,
          }),
        ),
      },
      {
        // The failed tool's result is the last turn's only new message, so it carries that turn's end.
        role: 'tool',
        content: '{"error":"sold out"}',
        sender_id: 'assistant',
        meta_data: m('m7', 't4', 6, {
          tool_call_id: 'call_2',
          tool_name: 'book_ticket',
          is_error: true,
          ...turnEnd('t4', {
            status: 'error',
            latency_ms: 2100,
            error: { name: 'APICallError', message: 'Service Unavailable (503)' },
          }),
        }),
      },
    ],
  });
  await send('PUT', '/api/external/threads', {
    projectId: 1,
    externalId: 'trip-1',
    externalUser: { externalId: 'user-grace', name: 'Grace Hopper', segments: { plan: 'team' } },
    metadata: {
      status: 'error',
      source: 'ai-sdk',
      turns: 2,
      model: MODEL,
      provider: 'openai',
      latency_ms: 2100,
      error_name: 'APICallError',
      error_message: 'Service Unavailable (503)',
    },
    messages: [
      {
        externalId: 'm1',
        role: 'user',
        type: 'markdown',
        content: 'What is the weather in Lyon tomorrow?',
        metadata: { position: 0 },
      },
      {
        externalId: 'm2',
        role: 'assistant',
        type: 'json',
        jsonContent: { toolCalls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Lyon' } }] },
        metadata: { position: 1 },
      },
      {
        externalId: 'm3',
        role: 'tool',
        type: 'json',
        jsonContent: {
          toolCallId: 'call_1',
          output: { city: 'Lyon', temperature_c: 17, sky: 'rain' },
          isError: false,
          name: 'get_weather',
        },
        metadata: { position: 2 },
      },
      {
        externalId: 'm4',
        role: 'assistant',
        type: 'markdown',
        content: 'Rain and 17 °C in Lyon tomorrow, so a museum day it is.',
        metadata: { position: 3 },
      },
      {
        externalId: 'm5',
        role: 'user',
        type: 'markdown',
        content: 'Book me a ticket for the Musée des Confluences.',
        metadata: { position: 4 },
      },
      {
        externalId: 'm6',
        role: 'assistant',
        type: 'json',
        jsonContent: {
          toolCalls: [
            { id: 'call_2', name: 'book_ticket', args: { museum: 'Confluences', day: 'tomorrow' } },
          ],
        },
        metadata: { position: 5 },
      },
      {
        externalId: 'm7',
        role: 'tool',
        type: 'json',
        jsonContent: {
          toolCallId: 'call_2',
          output: { error: 'sold out' },
          isError: true,
          name: 'book_ticket',
        },
        metadata: { position: 6 },
      },
    ],
  });

  const ok = await send('POST', '/api/v1/conversations', {
    title: 'Say hello',
    meta_data: { thread_id: 'ok-1', source: 'chattrail', adapter: 'express', agent_id: 'assistant' },
  });
  await send('POST', '/api/v1/messages', {
    conversation_id: ok.id,
    content: [
      {
        role: 'user',
        content: 'Hello!',
        meta_data: { chattrail_message_id: 'o1', thread_id: 'ok-1', turn_id: 'u1', position: 0 },
      },
      {
        role: 'assistant',
        content: 'Hello! How can I help?',
        meta_data: {
          chattrail_message_id: 'o2',
          thread_id: 'ok-1',
          position: 1,
          ...turnEnd('u1', { usage: { inputTokens: 9, outputTokens: 7, totalTokens: 16 }, latency_ms: 240 }),
        },
      },
    ],
  });
  await send('PUT', '/api/external/threads', {
    projectId: 1,
    externalId: 'ok-1',
    metadata: {
      status: 'ok',
      source: 'express',
      turns: 1,
      model: MODEL,
      latency_ms: 240,
      input_tokens: 9,
      output_tokens: 7,
      total_tokens: 16,
    },
    messages: [
      { externalId: 'o1', role: 'user', type: 'markdown', content: 'Hello!', metadata: { position: 0 } },
      {
        externalId: 'o2',
        role: 'assistant',
        type: 'markdown',
        content: 'Hello! How can I help?',
        metadata: { position: 1 },
      },
    ],
  });

  const fail = await send('POST', '/api/v1/conversations', {
    title: 'Summarise my inbox',
    meta_data: { thread_id: 'fail-1', source: 'chattrail', adapter: 'langchain', agent_id: 'assistant' },
  });
  await send('POST', '/api/v1/messages', {
    conversation_id: fail.id,
    content: [
      {
        role: 'user',
        content: 'Summarise my inbox',
        meta_data: { chattrail_message_id: 'f1', thread_id: 'fail-1', turn_id: 'v1', position: 0 },
      },
    ],
  });
  await send('PUT', '/api/external/threads', {
    projectId: 1,
    externalId: 'fail-1',
    metadata: {
      status: 'error',
      source: 'langchain',
      turns: 1,
      latency_ms: 3000,
      error_name: 'TimeoutError',
      error_message: 'model call timed out after 3 s',
    },
    messages: [
      {
        externalId: 'f1',
        role: 'user',
        type: 'markdown',
        content: 'Summarise my inbox',
        metadata: { position: 0 },
      },
    ],
  });

  await send('PUT', '/api/external/threads', {
    projectId: 1,
    externalId: 'aborted-1',
    metadata: {
      status: 'aborted',
      source: 'express',
      turns: 1,
      latency_ms: 5000,
      time_to_first_token_ms: 200,
      output_tokens: 12,
      error_name: 'AbortError',
      error_message: 'The client disconnected',
    },
    messages: [
      {
        externalId: 'a1',
        role: 'user',
        type: 'markdown',
        content: 'Write a long poem about rivers',
        metadata: { position: 0 },
      },
      {
        externalId: 'a2',
        role: 'assistant',
        type: 'markdown',
        content: 'Two rivers meet where',
        metadata: { position: 1 },
      },
    ],
  });
  return { tripConversation: trip.id };
}
