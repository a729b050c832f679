import type { ExtractedRequest, ExtractedResponse, ResponseInfo } from '../extract';
import { toUser } from '../identity/resolve-identity';
import type { SseEvent } from '../sse/sse-parser';
import { MessageAssembler } from '../turn/message-assembler';
import type { CapturedAnswer, StreamAssembler } from './captured-answer';
import type { RecognisedRequest } from './recognised-request';

export function fromExtractedRequest(extracted: ExtractedRequest): RecognisedRequest {
  const request: RecognisedRequest = {
    format: 'custom',
    messages: Array.isArray(extracted.messages) ? extracted.messages : [],
  };
  if (typeof extracted.threadId === 'string' && extracted.threadId !== '')
    request.threadId = extracted.threadId;
  const user = toUser(extracted.user);
  if (user !== undefined) request.user = user;
  if (typeof extracted.model === 'string') request.model = extracted.model;
  if (extracted.metadata !== undefined) request.metadata = extracted.metadata;
  return request;
}

export function fromExtractedResponse(extracted: ExtractedResponse, maxChars: number): CapturedAnswer {
  let answer: CapturedAnswer;
  if (Array.isArray(extracted.messages)) answer = { messages: extracted.messages };
  else {
    const assembler = new MessageAssembler(maxChars);
    if (typeof extracted.content === 'string') assembler.appendText(extracted.content);
    for (const call of extracted.toolCalls ?? []) assembler.addToolCall(call);
    answer = { messages: assembler.finish() };
    if (assembler.truncated) answer.truncated = true;
  }
  applyEnvelope(answer, extracted);
  return answer;
}

function applyEnvelope(answer: CapturedAnswer, extracted: ExtractedResponse): void {
  if (extracted.usage !== undefined) answer.usage = extracted.usage;
  if (typeof extracted.model === 'string') answer.model = extracted.model;
  if (extracted.error !== undefined) {
    answer.error = { name: extracted.error.name ?? 'Error', message: String(extracted.error.message) };
  }
  if (extracted.metadata !== undefined) answer.metadata = { ...answer.metadata, ...extracted.metadata };
}

/**
 * Runs the app's `extract.streamEvent` over every event and, alongside, the built-in assembler. If the
 * app's function ever returned something, its answer is the answer; otherwise the built-in one is, so an
 * extractor that only knows some streams falls back to detection for the rest.
 */
export class CustomStreamAssembler implements StreamAssembler {
  firstTokenAt: number | undefined;
  private readonly assembler: MessageAssembler;
  private readonly envelope: ExtractedResponse = {};
  private used = false;

  constructor(
    private readonly streamEvent: (
      event: SseEvent,
      info: ResponseInfo,
    ) => ExtractedResponse | string | undefined,
    private readonly info: () => ResponseInfo,
    private readonly fallback: StreamAssembler,
    maxChars: number,
  ) {
    this.assembler = new MessageAssembler(maxChars);
  }

  event(event: SseEvent): void {
    const out = this.streamEvent(event, this.info());
    if (out === undefined || out === null) {
      if (!this.used) this.fallback.event(event);
      return;
    }
    this.used = true;
    if (typeof out === 'string') {
      if (out !== '') this.firstTokenAt ??= performance.now();
      this.assembler.appendText(out);
      return;
    }
    if (typeof out.content === 'string' && out.content !== '') {
      this.firstTokenAt ??= performance.now();
      this.assembler.appendText(out.content);
    }
    for (const call of out.toolCalls ?? []) this.assembler.addToolCall(call);
    if (out.usage !== undefined) this.envelope.usage = out.usage;
    if (out.model !== undefined) this.envelope.model = out.model;
    if (out.error !== undefined) this.envelope.error = out.error;
    if (out.metadata !== undefined) this.envelope.metadata = { ...this.envelope.metadata, ...out.metadata };
  }

  finish(): CapturedAnswer {
    if (!this.used) {
      this.firstTokenAt = this.fallback.firstTokenAt;
      return this.fallback.finish();
    }
    const answer: CapturedAnswer = { messages: this.assembler.finish() };
    if (this.assembler.truncated) answer.truncated = true;
    applyEnvelope(answer, this.envelope);
    return answer;
  }
}
