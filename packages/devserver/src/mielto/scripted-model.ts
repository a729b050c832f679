/**
 * The deterministic model behind the emulated `/chat/completions`: the same request always gets the
 * same answer, so examples and tests run with real OpenAI-compatible clients and no keys.
 *
 * - When the last message is a tool result, it answers with what the tool returned.
 * - When tools are offered and the user's text names one (`get_weather` matches "weather"), it calls it
 *   with arguments filled from the tool's JSON schema and the user's words.
 * - Otherwise it answers in words that quote the user, so a transcript is easy to follow.
 */
export interface ChatMessageIn {
  role: string;
  content?: unknown;
  tool_call_id?: string;
  name?: string;
}

export interface ToolIn {
  type?: string;
  function?: { name?: string; description?: string; parameters?: JsonSchema };
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
}

export interface ScriptedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ScriptedReply {
  content: string | null;
  toolCalls: ScriptedToolCall[];
  finishReason: 'stop' | 'tool_calls';
}

/** cyrb53-style 53-bit string hash: stable across runs and platforms. */
export function stableHash(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Text of an OpenAI message content: a string, or the text parts of a part list. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : ''))
      .filter(Boolean)
      .join('\n');
  }
  return '';
}

const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2 && !['get', 'set', 'the', 'tool', 'fetch', 'lookup', 'find'].includes(w));
}

/** The most specific word of the user's text for a string argument: a capitalised word, else the last word. */
function argumentFromText(text: string): string {
  const capitalised = text.match(/(?<=\s)[A-Z][\p{L}-]+/gu);
  if (capitalised && capitalised.length > 0) return capitalised[capitalised.length - 1];
  const all = text.match(/[\p{L}\p{N}-]+/gu);
  return all && all.length > 0 ? all[all.length - 1] : 'example';
}

function argumentsFor(schema: JsonSchema | undefined, text: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const properties = schema?.properties ?? {};
  const required = schema?.required ?? Object.keys(properties);
  for (const name of required) {
    const prop = properties[name] ?? {};
    const type = Array.isArray(prop.type) ? prop.type[0] : prop.type;
    if (prop.enum && prop.enum.length > 0) args[name] = prop.enum[0];
    else if (type === 'number' || type === 'integer') args[name] = 1;
    else if (type === 'boolean') args[name] = true;
    else if (type === 'array') args[name] = [];
    else if (type === 'object') args[name] = {};
    else args[name] = argumentFromText(text);
  }
  return args;
}

const OPENERS = ['Sure.', 'Got it.', 'Happy to help.', 'Noted.'];

export function scriptedReply(messages: ChatMessageIn[], tools: ToolIn[] | undefined): ScriptedReply {
  const last = messages[messages.length - 1];
  if (last && last.role === 'tool') {
    const output = messageText(last.content);
    return {
      content: `Here is what the tool returned: ${output}`,
      toolCalls: [],
      finishReason: 'stop',
    };
  }
  const userText = messageText([...messages].reverse().find((m) => m.role === 'user')?.content);
  if (tools && tools.length > 0 && last?.role === 'user') {
    const said = new Set(words(userText));
    const tool = tools.find((t) => {
      const name = t.function?.name;
      return name !== undefined && nameWords(name).some((w) => said.has(w));
    });
    if (tool?.function?.name) {
      const args = argumentsFor(tool.function.parameters, userText);
      const id = `call_${stableHash(`${messages.length}:${userText}:${tool.function.name}`).toString(36)}`;
      return {
        content: null,
        toolCalls: [{ id, name: tool.function.name, arguments: JSON.stringify(args) }],
        finishReason: 'tool_calls',
      };
    }
  }
  const turn = messages.filter((m) => m.role === 'user').length;
  const opener = OPENERS[stableHash(userText) % OPENERS.length];
  const quoted = userText.length > 200 ? `${userText.slice(0, 200)}…` : userText;
  const content =
    userText === ''
      ? 'Hello! I am the chattrail devserver scripted model.'
      : `${opener} You said: "${quoted}". This is turn ${turn} of our conversation.`;
  return { content, toolCalls: [], finishReason: 'stop' };
}

/** A rough, deterministic token count (about four characters a token) for the usage block. */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/** Splits text into word-sized pieces for streaming, keeping every character. */
export function streamPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}
