// The example's HTTP endpoint as useChat would drive it: a three-turn conversation (a tool call in the
// first turn) that resends the whole history each time, then the devserver read back; and a client that
// hangs up mid-answer.
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendChatTurn, type UIMessageLike } from '../src/chat-client.ts';
import { type ChatApp, startChatApp } from '../src/start-chat-app.ts';

let devserver: DevServer;
let app: ChatApp;
beforeAll(async () => {
  devserver = await startDevServer({ port: 0 });
  app = await startChatApp({ port: 0, devserver });
});
afterAll(async () => {
  await app?.close();
  await devserver?.close();
});

const admin = async (path: string) => (await fetch(`${devserver.url}/_devserver${path}`)).json();
const userMessage = (text: string): UIMessageLike => ({
  id: crypto.randomUUID(),
  role: 'user',
  parts: [{ type: 'text', text }],
});

it('serves the chat page', async () => {
  const res = await fetch(`${app.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/html');
  expect(await res.text()).toContain('/api/chat');
});

it('answers a three-turn conversation and the devserver holds it once, in order', async () => {
  const id = 'endpoint-thread';
  const messages: UIMessageLike[] = [];
  const answers: string[] = [];
  for (const question of ['What is the weather in Paris?', 'Do I need an umbrella?', 'Thanks, bye!']) {
    messages.push(userMessage(question));
    const turn = await sendChatTurn(app.url, { id, messages, userId: 'user-ada' });
    answers.push(turn.text);
    messages.push(turn.message);
  }
  expect(answers[0]).toBe(
    'Here is what the tool returned: {"city":"Paris","temperatureC":17,"sky":"cloudy"}',
  );
  expect(answers[1]).toContain('You said: "Do I need an umbrella?". This is turn 2');
  expect(answers[2]).toContain('This is turn 3');

  await app.trail.flush?.({ timeoutMs: 10_000 });
  const roles = [
    'system',
    'user',
    'assistant',
    'tool',
    'assistant',
    'user',
    'assistant',
    'user',
    'assistant',
  ];
  const [conversation] = (await admin('/mielto/conversations')).filter(
    (c: { meta_data?: { thread_id?: string } }) => c.meta_data?.thread_id === id,
  );
  expect(conversation.user_id).toBe('user-ada');
  expect(conversation.messages.map((m: { role: string }) => m.role)).toEqual(roles);
  expect(conversation.messages[2].tool_calls[0].function.name).toBe('get_weather');
  expect(conversation.messages.at(-1).content).toBe(answers[2]);

  const [thread] = await admin(`/melodi/threads?externalId=${id}`);
  expect(thread.messages.map((m: { role: string }) => m.role)).toEqual(roles);
  expect(thread.messages.at(-1).content).toBe(answers[2]);
});

it('a client that hangs up mid-answer leaves an aborted turn with the partial text', async () => {
  const slow = await startDevServer({ port: 0, completionChunkDelayMs: 50 });
  const slowApp = await startChatApp({ port: 0, devserver: slow });
  try {
    const controller = new AbortController();
    let deltas = 0;
    const turn = sendChatTurn(
      slowApp.url,
      {
        id: 'hangup-thread',
        messages: [userMessage('Tell me a very long story about lighthouses and the sea')],
      },
      {
        signal: controller.signal,
        onChunk: (chunk) => {
          if (chunk.type === 'text-delta' && ++deltas === 3) controller.abort();
        },
      },
    );
    await expect(turn).rejects.toThrow();
    // The server sees the closed connection, aborts the model call, and the tap records what streamed.
    let thread: any;
    // Polled for up to 30 s (not 50 rounds of 50 ms): a loaded machine can take seconds to notice.
    const deadline = performance.now() + 30_000;
    while (thread === undefined && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await slowApp.trail.flush?.({ timeoutMs: 5_000 });
      [thread] = await (await fetch(`${slow.url}/_devserver/melodi/threads?externalId=hangup-thread`)).json();
    }
    expect(thread.metadata.status).toBe('aborted');
    const answer = thread.messages.at(-1);
    expect(answer.role).toBe('assistant');
    // The scripted answer ends "This is turn 1 of our conversation."; the client left after 3 words.
    expect(answer.content.split(' ').length).toBeGreaterThanOrEqual(3);
    expect(answer.content).not.toContain('of our conversation');
  } finally {
    await slowApp.close();
    await slow.close();
  }
});
