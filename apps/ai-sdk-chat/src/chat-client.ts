/**
 * A script-side client for the chat endpoint, doing what `useChat` does in a browser: POST the whole
 * conversation as UI messages, read the UI message stream, and build the assistant `UIMessage` from its
 * chunks so it can be sent back with the next turn. Used by the demo and the tests.
 */

export interface UIMessageLike {
  id: string;
  role: 'user' | 'assistant' | 'system';
  parts: Array<Record<string, unknown>>;
}

export interface ChatTurnResult {
  /** The assistant message as the stream built it (text, tool calls with their outputs, step starts). */
  message: UIMessageLike;
  /** Its text parts joined. */
  text: string;
  /** Every chunk of the UI message stream, in order. */
  chunks: Array<Record<string, unknown>>;
}

/** Sends one user message of a conversation and reads the streamed answer to its end. */
export async function sendChatTurn(
  appUrl: string,
  conversation: { id: string; messages: UIMessageLike[]; userId?: string },
  options: { signal?: AbortSignal; onChunk?: (chunk: Record<string, unknown>) => void } = {},
): Promise<ChatTurnResult> {
  const response = await fetch(`${appUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...conversation, trigger: 'submit-message' }),
    signal: options.signal,
  });
  if (!response.ok || response.body === null) {
    throw new Error(`POST /api/chat answered ${response.status}: ${await response.text()}`);
  }
  const message: UIMessageLike = { id: crypto.randomUUID(), role: 'assistant', parts: [] };
  const texts = new Map<string, { type: 'text'; text: string; state: string }>();
  const tools = new Map<string, Record<string, unknown>>();
  const chunks: Array<Record<string, unknown>> = [];
  for await (const chunk of readUIMessageStream(response.body)) {
    chunks.push(chunk);
    options.onChunk?.(chunk);
    switch (chunk.type) {
      case 'start':
        if (typeof chunk.messageId === 'string') message.id = chunk.messageId;
        break;
      case 'start-step':
        message.parts.push({ type: 'step-start' });
        break;
      case 'text-start': {
        const part = { type: 'text' as const, text: '', state: 'streaming' };
        texts.set(String(chunk.id), part);
        message.parts.push(part);
        break;
      }
      case 'text-delta':
        texts.get(String(chunk.id))!.text += String(chunk.delta);
        break;
      case 'text-end':
        texts.get(String(chunk.id))!.state = 'done';
        break;
      case 'tool-input-available': {
        const part = {
          type: `tool-${String(chunk.toolName)}`,
          toolCallId: chunk.toolCallId,
          state: 'input-available',
          input: chunk.input,
        };
        tools.set(String(chunk.toolCallId), part);
        message.parts.push(part);
        break;
      }
      case 'tool-output-available':
        Object.assign(tools.get(String(chunk.toolCallId)) ?? {}, {
          state: 'output-available',
          output: chunk.output,
        });
        break;
      case 'error':
        throw new Error(`the chat stream reported an error: ${String(chunk.errorText)}`);
      default:
        break;
    }
  }
  const text = message.parts
    .filter((p) => p.type === 'text')
    .map((p) => String(p.text))
    .join('');
  return { message, text, chunks };
}

/** Parses the AI SDK UI message stream (SSE: `data: <JSON>` events, ending with `data: [DONE]`). */
export async function* readUIMessageStream(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<Record<string, unknown>> {
  // (A cast: TypeScript's DOM and Node typings disagree on TextDecoderStream's writable side.)
  const reader = body
    .pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>)
    .getReader();
  let buffer = '';
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        return;
      }
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of event.split('\n')) {
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data === '[DONE]') return;
          yield JSON.parse(data) as Record<string, unknown>;
        }
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    // Stopped early (a break, [DONE], an error): close the response instead of leaving it open.
    if (!ended) await reader.cancel().catch(() => {});
  }
}
