import type { DevServerContext } from '../dev-server-context.js';
import type { RouteRequest, RouteResult } from '../http/route.js';
import {
  type ChatMessageIn,
  countTokens,
  messageText,
  scriptedReply,
  stableHash,
  streamPieces,
  type ToolIn,
} from './scripted-model.js';
import { type ValidationIssue, validationErrorBody } from './validate-model.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function validate(body: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: body,
      },
    ];
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string') {
    issues.push(
      b.model === undefined
        ? { type: 'missing', loc: ['body', 'model'], msg: 'Field required' }
        : { type: 'string_type', loc: ['body', 'model'], msg: 'Input should be a valid string' },
    );
  }
  if (!Array.isArray(b.messages)) {
    issues.push(
      b.messages === undefined
        ? { type: 'missing', loc: ['body', 'messages'], msg: 'Field required' }
        : { type: 'list_type', loc: ['body', 'messages'], msg: 'Input should be a valid list' },
    );
  } else {
    b.messages.forEach((m, i) => {
      if (typeof m !== 'object' || m === null || typeof (m as ChatMessageIn).role !== 'string') {
        issues.push({ type: 'missing', loc: ['body', 'messages', i, 'role'], msg: 'Field required' });
      }
    });
  }
  if (b.tools !== undefined && b.tools !== null && !Array.isArray(b.tools)) {
    issues.push({ type: 'list_type', loc: ['body', 'tools'], msg: 'Input should be a valid list' });
  }
  return issues;
}

/**
 * POST /api/v1/chat/completions: OpenAI Chat Completions, JSON or SSE (`stream: true`, with a usage
 * chunk when `stream_options.include_usage` is set), answered by the scripted model.
 */
export async function createChatCompletion(
  request: RouteRequest,
  ctx: DevServerContext,
): Promise<RouteResult> {
  const body = await request.json();
  const issues = validate(body);
  if (issues.length > 0) return { status: 422, body: validationErrorBody(issues) };
  const b = body as {
    model: string;
    messages: ChatMessageIn[];
    tools?: ToolIn[];
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
  };

  const userId = request.req.headers['x-user-id'];
  if (typeof userId === 'string' && userId !== '') {
    request.setUserId(userId);
    ctx.counters.completionsByUser[userId] = (ctx.counters.completionsByUser[userId] ?? 0) + 1;
  }

  const reply = scriptedReply(b.messages, b.tools ?? undefined);
  const promptTokens = countTokens(b.messages.map((m) => messageText(m.content)).join('\n'));
  const completionTokens = countTokens(
    (reply.content ?? '') + reply.toolCalls.map((c) => c.name + c.arguments).join(''),
  );
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const id = `chatcmpl-${stableHash(JSON.stringify(b.messages)).toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const toolCalls = reply.toolCalls.map((c) => ({
    id: c.id,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }));

  if (!b.stream) {
    return {
      status: 200,
      body: {
        id,
        object: 'chat.completion',
        created,
        model: b.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: reply.content,
              refusal: null,
              ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: reply.finishReason,
          },
        ],
        usage,
        system_fingerprint: 'fp_chattrail_devserver',
      },
    };
  }

  const { res } = request;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: b.model,
    system_fingerprint: 'fp_chattrail_devserver',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const send = async (data: unknown) => {
    if (res.destroyed) return;
    res.write(`data: ${JSON.stringify(data)}\n\n`);
    if (ctx.options.completionChunkDelayMs > 0) await sleep(ctx.options.completionChunkDelayMs);
  };

  await send(chunk({ role: 'assistant', content: reply.content === null ? null : '', refusal: null }));
  for (const piece of streamPieces(reply.content ?? '')) await send(chunk({ content: piece }));
  for (const [index, call] of reply.toolCalls.entries()) {
    await send(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    // Arguments arrive in pieces, as real providers send them, so clients must assemble the deltas.
    for (let at = 0; at < call.arguments.length; at += 8) {
      await send(
        chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(at, at + 8) } }] }),
      );
    }
  }
  await send(chunk({}, reply.finishReason));
  if (b.stream_options?.include_usage) {
    await send({
      id,
      object: 'chat.completion.chunk',
      created,
      model: b.model,
      system_fingerprint: 'fp_chattrail_devserver',
      choices: [],
      usage,
    });
  }
  if (!res.destroyed) res.end('data: [DONE]\n\n');
  return undefined;
}
