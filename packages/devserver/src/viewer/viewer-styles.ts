/**
 * The viewer's stylesheet. Role colours follow Melodi's thread view (user green, assistant blue,
 * everything else grey) so a thread looks the same here as in the real dashboard.
 */
export const viewerStyles = `
:root {
  --bg: #f6f7f9;
  --panel: #ffffff;
  --line: #e3e6ea;
  --text: #1d232b;
  --muted: #6a7380;
  --accent: #3563e9;
  --user-bg: #e6f5ea;
  --user-line: #b4dfc1;
  --user-ink: #1e6b3a;
  --assistant-bg: #e9f0fe;
  --assistant-line: #bdd0f8;
  --assistant-ink: #2449a8;
  --other-bg: #f0f2f4;
  --other-line: #d9dde2;
  --other-ink: #4f5965;
  --mielto: #7c3aed;
  --melodi: #d9480f;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--text);
  background: var(--bg);
  display: grid;
  grid-template-rows: auto 1fr;
  overflow: hidden;
}
button, input { font: inherit; color: inherit; }
pre, code { font-family: var(--mono); font-size: 12px; }

/* header */
.top {
  display: flex; align-items: center; gap: 20px;
  padding: 10px 18px; background: var(--panel); border-bottom: 1px solid var(--line);
}
.brand { font-weight: 650; font-size: 15px; letter-spacing: -0.01em; white-space: nowrap; }
.brand span { color: var(--muted); font-weight: 500; }
.counts { display: flex; gap: 16px; color: var(--muted); font-size: 13px; }
.counts b { color: var(--text); font-weight: 600; font-variant-numeric: tabular-nums; }
.live { margin-left: auto; display: flex; align-items: center; gap: 6px; font-size: 12px; color: var(--muted); }
.live .dot { width: 8px; height: 8px; border-radius: 50%; background: #aab1ba; }
.live[data-state="live"] .dot { background: #2fb344; box-shadow: 0 0 0 3px rgba(47, 179, 68, 0.18); }
.live[data-state="offline"] .dot { background: #d63939; }
.live[data-state="offline"] { color: #b02a2a; }

/* layout */
.layout { display: grid; grid-template-columns: 330px 1fr; min-height: 0; min-width: 0; }
.side { display: flex; flex-direction: column; min-height: 0; min-width: 0; background: var(--panel); border-right: 1px solid var(--line); }
.side-body { display: flex; flex-direction: column; min-height: 0; flex: 1; }
.list-toggle {
  display: none; width: 100%; text-align: left; border: none; border-bottom: 1px solid var(--line);
  background: var(--panel); padding: 8px 12px; cursor: pointer; font-weight: 600;
}
.list-toggle::after { content: "\\25be"; float: right; color: var(--muted); }
.list-toggle[aria-expanded="true"]::after { content: "\\25b4"; }
.list-toggle b { color: var(--muted); font-weight: 500; }
.filter { padding: 10px 12px; border-bottom: 1px solid var(--line); }
.status-filter { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 8px; }
.status-filter button {
  border: 1px solid var(--line); background: var(--bg); border-radius: 12px; padding: 1px 9px; font-size: 12px; cursor: pointer;
}
.status-filter button .n { color: var(--muted); font-variant-numeric: tabular-nums; }
.status-filter button[aria-pressed="true"] { background: #eef3ff; border-color: var(--accent); color: var(--accent); }
.status-filter button[data-status="error"][aria-pressed="true"] { background: #fdecec; border-color: #d63939; color: #b02a2a; }
.status-filter button[data-status="aborted"][aria-pressed="true"] { background: #fff4e0; border-color: #d08a0b; color: #8a5a00; }
.filter input {
  width: 100%; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg);
}
.filter input:focus { outline: 2px solid rgba(53, 99, 233, 0.3); border-color: var(--accent); }
.threads { list-style: none; margin: 0; padding: 6px; overflow-y: auto; flex: 1; }
.threads li + li { margin-top: 2px; }
.thread {
  display: block; width: 100%; text-align: left; border: 1px solid transparent; border-radius: 8px;
  background: none; padding: 8px 10px; cursor: pointer;
}
.thread:hover { background: #f2f4f7; }
.thread[aria-current="true"] { background: #eef3ff; border-color: #c9d7fb; }
.thread .row { display: flex; align-items: center; gap: 8px; min-width: 0; }
.thread .title { font-weight: 560; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; flex: 1; }
.thread .sub { color: var(--muted); font-size: 12px; margin-top: 2px; gap: 10px; }
.thread .sub .user { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; flex: 1; }
.thread .when { white-space: nowrap; }
.thread .backends { display: inline-flex; gap: 3px; flex: none; }
.thread .backends .badge { font-size: 9.5px; padding: 0 4px; }
.none { color: var(--muted); padding: 14px; font-size: 13px; }
.badge {
  display: inline-block; font-size: 10.5px; font-weight: 650; letter-spacing: 0.03em; text-transform: uppercase;
  padding: 1px 6px; border-radius: 4px; border: 1px solid currentColor; white-space: nowrap; flex: none;
}
.badge.mielto { color: var(--mielto); background: #f5f0ff; }
.badge.melodi { color: var(--melodi); background: #fff3ec; }
.status-badge {
  display: inline-block; font-size: 10.5px; font-weight: 700; letter-spacing: 0.03em; text-transform: uppercase;
  padding: 1px 6px; border-radius: 4px; color: #fff; white-space: nowrap; flex: none;
}
.status-badge.error { background: #d63939; }
.status-badge.aborted { background: #d08a0b; }

/* recent requests */
.requests { border-top: 1px solid var(--line); font-size: 12px; max-height: 40%; display: flex; flex-direction: column; }
.requests summary { padding: 8px 12px; cursor: pointer; color: var(--muted); }
.requests ol { list-style: none; margin: 0; padding: 0 8px 8px; overflow-y: auto; }
.requests li { display: flex; gap: 8px; padding: 2px 4px; font-family: var(--mono); font-size: 11.5px; }
.requests .status { width: 28px; font-weight: 600; }
.requests .ok { color: #2f8a46; }
.requests .bad { color: #c0392b; }
.requests .path { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.requests .ms { color: var(--muted); }

/* main */
.main { position: relative; min-width: 0; min-height: 0; display: flex; flex-direction: column; }
.scroller { overflow-y: auto; overflow-x: hidden; flex: 1; padding: 18px 28px 28px; }
.thread-head { max-width: 1100px; margin: 0 auto 16px; }
.thread-head h1 { font-size: 18px; margin: 0 0 4px; display: flex; align-items: center; gap: 10px; }
.thread-head h1 .text { overflow-wrap: anywhere; }
.ids { color: var(--muted); font-size: 12px; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.ids code { color: var(--text); overflow-wrap: anywhere; }
.thread-error {
  margin-top: 8px; padding: 6px 10px; border-radius: 8px; background: #fdecec; border: 1px solid #f3b9b9; color: #8f1f1f;
  font-size: 13px; overflow-wrap: anywhere;
}
.thread-error[data-status="aborted"] { background: #fff4e0; border-color: #f0cf8f; color: #7a4f00; }
.switch { display: inline-flex; margin-top: 10px; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; background: var(--panel); }
.switch button { border: none; background: none; padding: 4px 12px; cursor: pointer; font-size: 12.5px; }
.switch button + button { border-left: 1px solid var(--line); }
.switch button[aria-pressed="true"] { background: #eef3ff; color: var(--accent); font-weight: 600; }
.switch button:disabled { color: #aab1ba; cursor: default; }

.columns { max-width: 1100px; margin: 0 auto; display: grid; grid-template-columns: minmax(0, 1fr); gap: 18px; }
.columns[data-view="both"] { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
.columns:not([data-view="both"]) { max-width: 900px; }
.column { min-width: 0; }
.columns[data-view="both"] .column + .column { border-left: 1px dashed var(--line); padding-left: 18px; }
.column-head { margin-bottom: 10px; font-size: 12px; color: var(--muted); }
.column-title { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; }
.column-title code { color: var(--text); overflow-wrap: anywhere; }
.column-note { margin: 4px 0 0; font-size: 11.5px; }
.column-meta summary { cursor: pointer; margin-top: 4px; }
.meta {
  margin-top: 10px; border-collapse: separate; border-spacing: 0; font-size: 12.5px; background: var(--panel);
  border: 1px solid var(--line); border-radius: 8px; overflow: hidden; max-width: 100%;
}
.meta th, .meta td { padding: 4px 10px; text-align: left; vertical-align: top; border-top: 1px solid var(--line); }
.meta tr:first-child th, .meta tr:first-child td { border-top: none; }
.meta th { color: var(--muted); font-weight: 500; white-space: nowrap; }
.meta td { font-family: var(--mono); font-size: 12px; overflow-wrap: anywhere; white-space: pre-wrap; }

.messages { display: flex; flex-direction: column; gap: 12px; }
.msg { display: flex; flex-direction: column; align-items: flex-start; }
.msg[data-role="user"] { align-items: flex-end; }
.bubble {
  max-width: min(78%, 720px); min-width: 160px; padding: 8px 12px 10px; border-radius: 12px; overflow-wrap: anywhere;
  border: 1px solid var(--other-line); background: var(--other-bg);
}
.msg[data-role="user"] .bubble { background: var(--user-bg); border-color: var(--user-line); border-bottom-right-radius: 4px; }
.msg[data-role="assistant"] .bubble { background: var(--assistant-bg); border-color: var(--assistant-line); border-bottom-left-radius: 4px; }
.bubble-head { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; margin-bottom: 3px; font-size: 11.5px; color: var(--muted); }
.role { font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; font-size: 10.5px; color: var(--other-ink); }
.msg[data-role="user"] .role { color: var(--user-ink); }
.msg[data-role="assistant"] .role { color: var(--assistant-ink); }
.sender { font-family: var(--mono); font-size: 10.5px; }
.time { margin-left: auto; font-variant-numeric: tabular-nums; }
.content { white-space: pre-wrap; overflow-wrap: anywhere; }
.content.empty { color: var(--muted); font-style: italic; }
.columns[data-view="both"] .bubble { max-width: 92%; }
.chips { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 8px; }
.chip {
  display: inline-flex; align-items: baseline; gap: 4px; font-size: 11px; line-height: 1.6; padding: 0 7px;
  border-radius: 10px; background: #fff; border: 1px solid var(--line); white-space: nowrap; font-variant-numeric: tabular-nums;
}
.chip .k { color: var(--muted); }
.chip b { font-weight: 600; }
.chip.latency, .chip.ttft { background: #eefaf1; border-color: #bfe5ca; }
.chip.input, .chip.output, .chip.total, .chip.reasoning, .chip.cached { background: #fff6d6; border-color: #f0dc97; }
.chip.scope { color: var(--muted); font-style: italic; }
.msg-error { margin-top: 6px; font-size: 12.5px; color: #8f1f1f; background: #fdecec; border-radius: 6px; padding: 3px 8px; }
.turn-failed {
  margin-top: 12px; padding: 8px 10px; border: 1px dashed #e49a9a; border-radius: 8px; background: #fff7f7; font-size: 12.5px;
  color: #8f1f1f; overflow-wrap: anywhere;
}
.turn-failed[data-status="aborted"] { border-color: #e8c27a; background: #fffaf0; color: #7a4f00; }
.card { margin-top: 8px; border: 1px solid rgba(0, 0, 0, 0.1); border-radius: 8px; background: #fff; overflow: hidden; }
.card.tool-call { border-left: 3px solid #7a8ff0; }
.card[data-state="error"] { border-left: 3px solid #d63939; }
.card.tool-result { border-left: 3px solid #9aa3ad; }
.card-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 8px; padding: 5px 10px; font-size: 11.5px; border-bottom: 1px solid rgba(0, 0, 0, 0.06); }
.card-head b { font-family: var(--mono); font-size: 12.5px; color: var(--text); }
.card-kind { text-transform: uppercase; letter-spacing: 0.04em; font-size: 10px; font-weight: 650; color: var(--muted); }
.call-id { font-family: var(--mono); font-size: 10.5px; color: var(--muted); overflow-wrap: anywhere; }
.tool-state { margin-left: auto; font-size: 10.5px; font-weight: 650; padding: 0 6px; border-radius: 4px; }
.tool-state.ok { color: #1e6b3a; background: #e6f5ea; }
.tool-state.error { color: #fff; background: #d63939; }
.tool-state.pending { color: var(--muted); background: var(--other-bg); }
.card-label { font-size: 10.5px; color: var(--muted); padding: 5px 10px 0; text-transform: uppercase; letter-spacing: 0.04em; }
.card pre { margin: 0; padding: 4px 10px 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
.card details.folded { padding: 4px 10px; font-size: 11.5px; color: var(--muted); }
.card details.folded summary { cursor: pointer; }
.card details.folded pre { padding: 4px 0; color: var(--text); }
.block { margin-top: 8px; border: 1px solid rgba(0, 0, 0, 0.08); border-radius: 8px; background: rgba(255, 255, 255, 0.7); overflow: hidden; }
.block-head { font-size: 11.5px; padding: 4px 10px; color: var(--muted); border-bottom: 1px solid rgba(0, 0, 0, 0.06); display: flex; gap: 8px; }
.block-head b { color: var(--text); font-family: var(--mono); font-weight: 600; }
.block pre { margin: 0; padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
details.msg-meta { margin-top: 6px; font-size: 11.5px; color: var(--muted); }
details.msg-meta summary { cursor: pointer; }
details.msg-meta pre { margin: 4px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; color: var(--text); }

.jump {
  position: absolute; bottom: 18px; left: 50%; transform: translateX(-50%); border: none; border-radius: 16px;
  padding: 6px 14px; background: var(--accent); color: #fff; cursor: pointer; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.18);
}
.jump[hidden] { display: none; }

/* empty state */
.empty-state { max-width: 640px; margin: 60px auto; color: var(--text); }
.empty-state h2 { font-size: 18px; margin: 0 0 8px; }
.empty-state p { color: var(--muted); margin: 8px 0; }
.empty-state dl { display: grid; grid-template-columns: auto 1fr; gap: 6px 14px; margin: 14px 0; }
.empty-state dt { color: var(--muted); }
.empty-state dd { margin: 0; font-family: var(--mono); font-size: 12.5px; }
.empty-state pre {
  background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px;
  white-space: pre-wrap; overflow-wrap: anywhere;
}

/* narrow screens: the list collapses above the thread, one backend at a time */
@media (max-width: 760px) {
  .top { flex-wrap: wrap; gap: 4px 14px; padding: 8px 12px; }
  .counts { gap: 10px; font-size: 12px; }
  .layout { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto minmax(0, 1fr); }
  .side { border-right: none; border-bottom: 1px solid var(--line); max-height: 60vh; }
  .list-toggle { display: block; }
  .layout.list-closed .side-body { display: none; }
  .scroller { padding: 12px 12px 24px; }
  .wide-only { display: none; }
  .bubble { max-width: 94%; min-width: 0; }
  .meta { width: 100%; }
  .meta th { white-space: normal; }
  .empty-state { margin: 24px auto; }
}
`;
