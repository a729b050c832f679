/**
 * What a streamed model call produced, accumulated part by part while the parts flow to the caller.
 *
 * `content` mirrors a generate result's `content` array (text and reasoning blocks in order of first
 * appearance, then files, tool calls and provider tool results as they arrive), so the stream and the
 * generate path go through the same `addParts` and give the same messages and ids. Tool calls come from
 * the final `tool-call` parts, never rebuilt from `tool-input-delta`s. Unknown part types are ignored.
 */
export class StreamCapture {
  readonly content: unknown[] = [];
  /** `performance.now()` of the first part that carries model output. */
  firstOutputAt: number | undefined;
  usage: unknown;
  finishReason: unknown;
  responseId: string | undefined;
  responseModelId: string | undefined;

  private text: TextBlock | undefined;
  private reasoning: TextBlock | undefined;

  /** Observes one part. Returns the error of an in-band `error` part, else undefined. */
  observe(part: unknown): { error: unknown } | undefined {
    if (part === null || typeof part !== 'object') return undefined;
    const p = part as StreamPart;
    switch (p.type) {
      case 'text-delta':
        this.markOutput();
        this.textBlock(p.id).text += typeof p.delta === 'string' ? p.delta : (p.textDelta ?? '');
        return undefined;
      case 'reasoning-delta':
        this.markOutput();
        this.reasoningBlock(p.id).text += typeof p.delta === 'string' ? p.delta : (p.textDelta ?? '');
        return undefined;
      case 'text-start':
        this.textBlock(p.id);
        return undefined;
      case 'reasoning-start':
        this.reasoningBlock(p.id);
        return undefined;
      case 'tool-input-start':
        this.markOutput();
        return undefined;
      case 'tool-call':
      case 'tool-result':
      case 'file':
      case 'custom':
        this.markOutput();
        this.content.push(part);
        return undefined;
      case 'response-metadata':
        if (typeof p.id === 'string') this.responseId = p.id;
        if (typeof p.modelId === 'string') this.responseModelId = p.modelId;
        return undefined;
      case 'finish':
        this.usage = p.usage;
        this.finishReason = p.finishReason;
        return undefined;
      case 'error':
        return { error: p.error };
      default:
        return undefined;
    }
  }

  private markOutput(): void {
    if (this.firstOutputAt === undefined) this.firstOutputAt = performance.now();
  }

  private textBlock(id: string | undefined): TextBlock {
    const current = this.text;
    if (current !== undefined && current.id === id) return current;
    this.text = this.block('text', id);
    return this.text;
  }

  private reasoningBlock(id: string | undefined): TextBlock {
    const current = this.reasoning;
    if (current !== undefined && current.id === id) return current;
    this.reasoning = this.block('reasoning', id);
    return this.reasoning;
  }

  /** The block of that kind and id, created at the end when it is new (interleaved blocks are rare). */
  private block(type: 'text' | 'reasoning', id: string | undefined): TextBlock {
    for (let i = this.content.length - 1; i >= 0; i--) {
      const candidate = this.content[i] as TextBlock;
      if (candidate.type === type && candidate.id === id && candidate.isBlock === true) return candidate;
    }
    const block: TextBlock = { type, id, text: '', isBlock: true };
    this.content.push(block);
    return block;
  }
}

interface TextBlock {
  type: 'text' | 'reasoning';
  id: string | undefined;
  text: string;
  isBlock: true;
}

interface StreamPart {
  type?: string;
  id?: string;
  delta?: string;
  /** ai 4 (spec V1) named the delta `textDelta`; kept so a V1-shaped part is not lost. */
  textDelta?: string;
  modelId?: string;
  usage?: unknown;
  finishReason?: unknown;
  error?: unknown;
}
