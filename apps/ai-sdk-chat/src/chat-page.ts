/**
 * The chat page: plain HTML and a small script, no bundler. It speaks the same protocol as `useChat`:
 * it POSTs `{ id, messages: UIMessage[], trigger }` to /api/chat and reads the AI SDK UI message stream
 * (server-sent events, `data: <chunk JSON>`, ending with `data: [DONE]`), building the assistant
 * `UIMessage` from its chunks so the full history (tool calls included) is sent back on the next turn.
 */
export function chatPageHtml(config: { viewerUrl?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chattrail · AI SDK chat</title>
<style>
  :root { font: 15px/1.45 system-ui, sans-serif; color-scheme: light dark; }
  body { max-width: 46rem; margin: 0 auto; padding: 1rem; display: flex; flex-direction: column; min-height: 100vh; box-sizing: border-box; }
  header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; }
  header small { opacity: .7; }
  #messages { flex: 1; display: flex; flex-direction: column; gap: .6rem; padding: 1rem 0; }
  .message { padding: .55rem .8rem; border-radius: .6rem; max-width: 85%; white-space: pre-wrap; }
  .message[data-role="user"] { align-self: flex-end; background: #2563eb; color: white; }
  .message[data-role="assistant"] { align-self: flex-start; background: rgba(127,127,127,.15); }
  .tool { font: 12px/1.4 ui-monospace, monospace; opacity: .8; margin: .2rem 0; }
  .error { color: #dc2626; }
  form { display: flex; gap: .5rem; position: sticky; bottom: 0; padding: .6rem 0; background: Canvas; }
  input { flex: 1; padding: .6rem; font: inherit; }
  button { padding: .6rem 1rem; font: inherit; }
</style>
</head>
<body data-status="ready">
<header>
  <h1>AI SDK chat</h1>
  <small>thread <code id="thread-id"></code>${config.viewerUrl ? ` · <a href="${escapeAttribute(config.viewerUrl)}" target="_blank">devserver viewer</a>` : ''}</small>
</header>
<main id="messages" aria-live="polite"></main>
<form id="composer">
  <input id="input" name="text" autocomplete="off" placeholder="Ask about the weather in Paris…" required>
  <button id="send" type="submit">Send</button>
  <button id="stop" type="button" hidden>Stop</button>
</form>
<script type="module">
const chatId = crypto.randomUUID();
const messages = [];
const list = document.getElementById('messages');
const form = document.getElementById('composer');
const input = document.getElementById('input');
const stop = document.getElementById('stop');
let controller;
document.getElementById('thread-id').textContent = chatId;

function bubble(role) {
  const el = document.createElement('div');
  el.className = 'message';
  el.dataset.role = role;
  list.append(el);
  return el;
}

function render(el, message) {
  el.replaceChildren();
  for (const part of message.parts) {
    if (part.type === 'text') el.append(part.text);
    else if (part.type.startsWith('tool-')) {
      const line = document.createElement('div');
      line.className = 'tool';
      line.textContent = '→ ' + part.type.slice(5) + '(' + JSON.stringify(part.input ?? {}) + ')' +
        (part.state === 'output-available' ? ' ⇒ ' + JSON.stringify(part.output) : '');
      el.append(line);
    }
  }
}

// Reads the UI message stream: one JSON chunk per SSE event.
async function* uiChunks(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\\n\\n')) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return;
        yield JSON.parse(data);
      }
    }
  }
}

async function send(text) {
  messages.push({ id: crypto.randomUUID(), role: 'user', parts: [{ type: 'text', text }] });
  render(bubble('user'), messages.at(-1));
  const assistant = { id: crypto.randomUUID(), role: 'assistant', parts: [] };
  const el = bubble('assistant');
  const texts = new Map();
  const tools = new Map();
  document.body.dataset.status = 'streaming';
  stop.hidden = false;
  controller = new AbortController();
  try {
    const response = await fetch('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: chatId, messages, trigger: 'submit-message' }),
      signal: controller.signal,
    });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    for await (const chunk of uiChunks(response.body)) {
      switch (chunk.type) {
        case 'start': if (chunk.messageId) assistant.id = chunk.messageId; break;
        case 'start-step': assistant.parts.push({ type: 'step-start' }); break;
        case 'text-start': { const part = { type: 'text', text: '', state: 'streaming' }; texts.set(chunk.id, part); assistant.parts.push(part); break; }
        case 'text-delta': texts.get(chunk.id).text += chunk.delta; break;
        case 'text-end': texts.get(chunk.id).state = 'done'; break;
        case 'tool-input-available': { const part = { type: 'tool-' + chunk.toolName, toolCallId: chunk.toolCallId, state: 'input-available', input: chunk.input }; tools.set(chunk.toolCallId, part); assistant.parts.push(part); break; }
        case 'tool-output-available': Object.assign(tools.get(chunk.toolCallId), { state: 'output-available', output: chunk.output }); break;
        case 'error': { const err = document.createElement('div'); err.className = 'error'; err.textContent = chunk.errorText; el.append(err); break; }
        default: break; // reasoning, sources, metadata, finish-step, finish: not shown by this page
      }
      render(el, assistant);
    }
  } catch (error) {
    if (error.name !== 'AbortError') el.textContent = 'Request failed: ' + error.message;
  } finally {
    messages.push(assistant);
    stop.hidden = true;
    document.body.dataset.status = 'ready';
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text || document.body.dataset.status !== 'ready') return;
  input.value = '';
  send(text);
});
stop.addEventListener('click', () => controller?.abort());
</script>
</body>
</html>
`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
