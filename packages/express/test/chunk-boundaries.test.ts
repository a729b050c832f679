import { Buffer } from 'node:buffer';
import type { ServerResponse } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseBody } from '../src/capture/response-body';
import type { CapturedAnswer } from '../src/formats/captured-answer';
import { createStreamAssembler, type StreamKind } from '../src/formats/detect';
import { chatTrail } from '../src/index';
import { EXPRESS, type Listening, listen, openAIChatStream, postJson, RecordingTrail, sse } from './helpers';

/** Three streams, with multi-byte characters (split mid-character too), comments and CRLF line breaks. */
const STREAMS: { kind: StreamKind; body: string }[] = [
  { kind: 'openai-chat', body: openAIChatStream(['Grüße ', 'aus ', 'Köln 🌧️', ' — 東京']).join('') },
  {
    kind: 'openai-responses',
    body: [
      sse({ type: 'response.created', response: { id: 'resp_1', model: 'm' } }, 'response.created'),
      ': keep-alive\n\n',
      ...['naïve ', 'café ', '🙂'].map((delta) =>
        sse(
          { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta },
          'response.output_text.delta',
        ),
      ),
      sse(
        {
          type: 'response.completed',
          response: { id: 'resp_1', usage: { input_tokens: 1, output_tokens: 2 } },
        },
        'response.completed',
      ),
    ]
      .join('')
      .replace(/\n/g, '\r\n'),
  },
  {
    kind: 'ai-sdk-ui',
    body: [
      ': stream-open\n\n',
      sse({ type: 'start' }),
      sse({ type: 'start-step' }),
      sse({ type: 'tool-input-available', toolCallId: 'c1', toolName: 'w', input: { city: 'Zürich' } }),
      sse({ type: 'tool-output-available', toolCallId: 'c1', output: '☀️ 21 °C' }),
      sse({ type: 'finish-step' }),
      sse({ type: 'start-step' }),
      sse({ type: 'text-start', id: 't' }),
      sse({ type: 'text-delta', id: 't', delta: 'Sonnig ☀️' }),
      sse({ type: 'text-delta', id: 't', delta: ', 21 °C.' }),
      sse({ type: 'finish-step' }),
      'data: [DONE]\n\n',
    ].join(''),
  },
];

const fakeResponse = {
  getHeader: (name: string) => (name === 'content-type' ? 'text/event-stream' : undefined),
} as unknown as ServerResponse;

function capture(kind: StreamKind, chunks: (string | Uint8Array)[]): Omit<CapturedAnswer, never> {
  const assembler = createStreamAssembler(kind, Number.POSITIVE_INFINITY);
  const body = new ResponseBody(
    fakeResponse,
    1024 * 1024,
    () => ({ mode: 'sse', assembler }),
    (error) => {
      throw error;
    },
  );
  for (const chunk of chunks) body.chunk(chunk, undefined);
  const read = body.finish();
  if (read instanceof Promise) throw new Error('unexpected async read');
  return read.assembler!.finish();
}

function splitAt(bytes: Buffer, positions: number[]): Buffer[] {
  const cuts = [...new Set(positions)].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    pieces.push(bytes.subarray(from, cut));
    from = cut;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

describe.each(STREAMS)('$kind stream split at every byte position', ({ kind, body }) => {
  const bytes = Buffer.from(body, 'utf8');
  const whole = capture(kind, [body]);

  it('has a non-trivial answer to compare against', () => {
    expect(whole.messages.length).toBeGreaterThan(0);
    expect(bytes.length).toBeGreaterThan(body.length); // multi-byte characters present
  });

  it('gives the identical answer for every two-piece split', () => {
    for (let at = 1; at < bytes.length; at++) {
      expect(capture(kind, splitAt(bytes, [at])), `split at byte ${at}`).toEqual(whole);
    }
  });

  it('gives the identical answer one byte at a time', () => {
    expect(
      capture(
        kind,
        splitAt(
          bytes,
          Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
        ),
      ),
    ).toEqual(whole);
  });

  it('gives the identical answer for any set of split points (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
        expect(capture(kind, splitAt(bytes, cuts))).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});

describe.each(EXPRESS)('over real HTTP on $name', ({ express }) => {
  const stream = STREAMS[0]!;
  const bytes = Buffer.from(stream.body, 'utf8');
  const trail = new RecordingTrail();
  let server: Listening;

  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.post('/v1/chat/completions', chatTrail({ trail }), (req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      // Each piece is its own write() of raw bytes, cut wherever the test says (mid-character too).
      for (const piece of splitAt(bytes, req.body.cuts)) res.write(piece);
      res.end();
    });
    server = await listen(app);
  });
  afterAll(() => server.close());

  it('captures the same answer whatever the write boundaries (property)', async () => {
    await postJson(`${server.url}/v1/chat/completions`, {
      model: 'm',
      stream: true,
      cuts: [],
      messages: [{ role: 'user', content: 'Hallo' }],
    });
    const [reference] = await trail.waitFor(1);
    const answer = reference.messages[1];
    expect(answer.content).toBe('Grüße aus Köln 🌧️ — 東京');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 30 }),
        async (cuts) => {
          const before = trail.turns.length;
          const response = await postJson(`${server.url}/v1/chat/completions`, {
            model: 'm',
            stream: true,
            cuts,
            messages: [{ role: 'user', content: 'Hallo' }],
          });
          expect(response.text).toBe(stream.body);
          const turns = await trail.waitFor(before + 1);
          const turn = turns[before]!;
          expect(turn.messages[1]).toEqual(answer);
          expect(turn.usage).toEqual(reference.usage);
        },
      ),
      { numRuns: 30 },
    );
  });
});
