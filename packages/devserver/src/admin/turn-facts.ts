/** Token counts of one turn; a missing field was not reported. */
export interface ViewerTokens {
  input?: number;
  output?: number;
  total?: number;
  reasoning?: number;
  cached?: number;
}

export type ViewerTurnStatus = 'ok' | 'error' | 'aborted';

/** What a backend holds about how one turn went: timings, tokens, status. */
export interface ViewerTurnFacts {
  /** chattrail's turn id (Mielto message `meta_data.turn_id`), when recorded. */
  turnId: string | null;
  status: ViewerTurnStatus | null;
  error: { name: string | null; message: string } | null;
  latencyMs: number | null;
  timeToFirstTokenMs: number | null;
  tokens: ViewerTokens | null;
  model: string | null;
  /**
   * `message`: the message's own metadata (chattrail puts a turn's figures on its last message in Mielto);
   * `thread`: Melodi's thread metadata, which describes the thread's latest turn only.
   */
  from: 'message' | 'thread';
}

// Normalised key (lower case, letters only) -> what it counts. Covers chattrail's Turn.usage (Mielto),
// its flat Melodi thread metadata, OpenAI and Anthropic usage objects.
const TOKEN_KEYS: Record<string, keyof ViewerTokens> = {
  inputtokens: 'input',
  prompttokens: 'input',
  outputtokens: 'output',
  completiontokens: 'output',
  totaltokens: 'total',
  reasoningtokens: 'reasoning',
  cachedinputtokens: 'cached',
  cachedtokens: 'cached',
  cachereadinputtokens: 'cached',
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function firstNumber(meta: Record<string, unknown>, keys: string[]): number | null {
  for (const key of keys) {
    const value = finite(meta[key]);
    if (value !== null) return value;
  }
  return null;
}

/** Token counts at the top level of `meta` or one level down (`usage`, `tokens`, ...). */
export function tokensOf(meta: Record<string, unknown>): ViewerTokens | null {
  const found: ViewerTokens = {};
  let any = false;
  const take = (obj: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(obj)) {
      const slot = TOKEN_KEYS[key.toLowerCase().replace(/[^a-z]/g, '')];
      const n = finite(value);
      if (slot !== undefined && n !== null && found[slot] === undefined) {
        found[slot] = n;
        any = true;
      }
    }
  };
  take(meta);
  for (const value of Object.values(meta)) if (isObject(value)) take(value);
  return any ? found : null;
}

function errorOf(meta: Record<string, unknown>): ViewerTurnFacts['error'] {
  const error = meta.error;
  // Mielto (chattrail): `error: { name, message }`.
  if (isObject(error) && typeof error.message === 'string') {
    return { name: typeof error.name === 'string' ? error.name : null, message: error.message };
  }
  if (typeof error === 'string' && error !== '') return { name: null, message: error };
  // Melodi (chattrail): flat `error_name` / `error_message`, as Melodi filters by flat values.
  if (typeof meta.error_message === 'string') {
    return {
      name: typeof meta.error_name === 'string' ? meta.error_name : null,
      message: meta.error_message,
    };
  }
  return null;
}

/**
 * The turn facts in a message's or thread's metadata, or null when it holds none of them (a model name
 * alone is not a fact about a turn). Reads what chattrail writes: Mielto's turn-end message carries
 * `status`, `usage`, `latency_ms`, `time_to_first_token_ms`, `error: { name, message }` and `turn_id`;
 * Melodi's thread metadata `status`, `input_tokens`..., `latency_ms`, `time_to_first_token_ms`,
 * `error_name`, `error_message`. camelCase spellings from other clients are read too.
 */
export function turnFactsOf(meta: unknown, from: ViewerTurnFacts['from']): ViewerTurnFacts | null {
  if (!isObject(meta)) return null;
  const status =
    meta.status === 'ok' || meta.status === 'error' || meta.status === 'aborted' ? meta.status : null;
  const facts: ViewerTurnFacts = {
    turnId: typeof meta.turn_id === 'string' ? meta.turn_id : null,
    status,
    // An ok turn has no error: one beside `status: 'ok'` is an earlier turn's, left in metadata that the
    // backend merges on update (the devserver's Melodi does; chattrail writes error keys only when failing).
    error: status === 'ok' ? null : errorOf(meta),
    latencyMs: firstNumber(meta, ['latency_ms', 'latencyMs']),
    timeToFirstTokenMs: firstNumber(meta, ['time_to_first_token_ms', 'timeToFirstTokenMs', 'ttft_ms']),
    tokens: tokensOf(meta),
    model: typeof meta.model === 'string' ? meta.model : null,
    from,
  };
  const any =
    facts.status !== null ||
    facts.error !== null ||
    facts.latencyMs !== null ||
    facts.timeToFirstTokenMs !== null ||
    facts.tokens !== null;
  return any ? facts : null;
}

/** Whether the facts hold figures (timings or tokens), not only a status. */
export function hasFigures(facts: ViewerTurnFacts | null): boolean {
  return (
    facts !== null && (facts.latencyMs !== null || facts.timeToFirstTokenMs !== null || facts.tokens !== null)
  );
}

/** The worse of two statuses: error over aborted over ok over unknown. */
export function worseStatus(a: ViewerTurnStatus | null, b: ViewerTurnStatus | null): ViewerTurnStatus | null {
  const rank = (s: ViewerTurnStatus | null) => (s === 'error' ? 3 : s === 'aborted' ? 2 : s === 'ok' ? 1 : 0);
  return rank(a) >= rank(b) ? a : b;
}
