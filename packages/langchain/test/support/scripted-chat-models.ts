import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';

/**
 * A chat model that answers with queued `AIMessage`s verbatim (tool calls and usage included), or throws
 * queued errors. Written against the BaseChatModel API both @langchain/core 0.3 and 1.x share, so the
 * same test runs on both (1.x also has `fakeModel()`, used by the 1.x-only tests).
 */
export class ScriptedChatModel extends BaseChatModel {
  readonly queue: (AIMessage | Error)[];
  readonly seen: BaseMessage[][] = [];

  constructor(queue: (AIMessage | Error)[]) {
    super({});
    this.queue = [...queue];
  }

  _llmType(): string {
    return 'scripted';
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.seen.push(messages);
    const next = this.queue.shift() ?? new AIMessage('(no more scripted answers)');
    if (next instanceof Error) throw next;
    return { generations: [{ text: typeof next.content === 'string' ? next.content : '', message: next }] };
  }
}

export interface StreamScript {
  text: string[];
  toolCall?: { id: string; name: string; args: Record<string, unknown> };
  usage?: { input_tokens: number; output_tokens: number; total_tokens: number };
  delayMs?: number;
}

/**
 * A streaming chat model the way provider integrations write one: `_streamResponseChunks` yields text
 * chunks, a tool-call chunk and, last, a chunk that only carries `usage_metadata` (as OpenAI's
 * `include_usage` chunk does), and reports each chunk through `handleLLMNewToken`.
 */
export class StreamingScriptedChatModel extends BaseChatModel {
  constructor(private readonly script: StreamScript) {
    super({});
  }

  _llmType(): string {
    return 'streaming-scripted';
  }

  async *_streamResponseChunks(
    _messages: BaseMessage[],
    _options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const emit = async (message: AIMessageChunk, text: string) => {
      const chunk = new ChatGenerationChunk({ text, message });
      await runManager?.handleLLMNewToken(
        text,
        { prompt: 0, completion: 0 },
        undefined,
        undefined,
        undefined,
        {
          chunk,
        },
      );
      return chunk;
    };
    // The role-only opening chunk OpenAI sends first: not a token yet.
    yield await emit(new AIMessageChunk({ content: '' }), '');
    for (const piece of this.script.text) {
      if (this.script.delayMs) await new Promise((resolve) => setTimeout(resolve, this.script.delayMs));
      yield await emit(new AIMessageChunk({ content: piece }), piece);
    }
    const call = this.script.toolCall;
    if (call !== undefined) {
      yield await emit(
        new AIMessageChunk({
          content: '',
          tool_call_chunks: [{ id: call.id, name: call.name, args: JSON.stringify(call.args), index: 0 }],
        }),
        '',
      );
    }
    if (this.script.usage !== undefined) {
      yield await emit(new AIMessageChunk({ content: '', usage_metadata: this.script.usage }), '');
    }
  }

  async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    let aggregate: ChatGenerationChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) {
      aggregate = aggregate === undefined ? chunk : aggregate.concat(chunk);
    }
    return { generations: aggregate === undefined ? [] : [aggregate] };
  }
}

/** A chat model that answers only when its call is aborted: with the abort reason, as providers do. */
export class HangingChatModel extends BaseChatModel {
  constructor() {
    super({});
  }

  _llmType(): string {
    return 'hanging';
  }

  async _generate(_messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    return new Promise((_resolve, reject) => {
      const signal = options.signal;
      if (signal === undefined) return;
      const fail = () => reject(signal.reason instanceof Error ? signal.reason : new Error('Aborted'));
      if (signal.aborted) fail();
      else signal.addEventListener('abort', fail, { once: true });
    });
  }
}
