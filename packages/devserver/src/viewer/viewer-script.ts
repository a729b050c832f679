/**
 * The viewer's browser code: plain ES2020, shipped inline so the page works offline with no build step.
 *
 * Every piece of captured data reaches the DOM through `textContent` or `setAttribute` (see `el`),
 * never through HTML parsing: the devserver shows whatever a client sent, and a client may send
 * markup. Kept as `String.raw` so the escapes in it (`'\n'`) reach the browser unchanged; it must
 * not contain a backtick or a dollar-brace.
 */
export const viewerScript = String.raw`
(function () {
  'use strict';

  var POLL_MS = 700;
  var HIDDEN_POLL_MS = 2500;
  var STATS_EVERY = 5;
  var REQUESTS_LIMIT = 40;

  var state = {
    version: -1,
    /** One entry per app thread, each with what Mielto and Melodi hold (see /_devserver/merged-threads). */
    entries: [],
    selectedKey: readHash(),
    filter: '',
    status: 'all',
    /** 'both', 'mielto' or 'melodi' once the reader picks one; null: side by side when there is room. */
    view: null,
    shown: { key: null, view: null, sigs: {}, cols: {} },
    listOpen: true,
    unseen: 0,
    polls: 0,
  };

  // Below this width the list collapses above the thread and one backend is shown at a time.
  var narrow = window.matchMedia('(max-width: 760px)');

  function $(id) {
    return document.getElementById(id);
  }

  /** createElement with attributes and text/children; data only ever becomes text or attribute values. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === undefined || value === null || value === false) return;
        if (/^on/i.test(name)) throw new Error('event handler attributes are not allowed');
        if (name === 'className') node.className = value;
        else if (name === 'text') node.textContent = String(value);
        else node.setAttribute(name, String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function isObject(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  }

  function readHash() {
    var raw = location.hash.slice(1);
    if (!raw) return null;
    try {
      return decodeURIComponent(raw);
    } catch (e) {
      return null;
    }
  }

  function pretty(value) {
    if (value === undefined) return 'undefined';
    try {
      return JSON.stringify(value, null, 2);
    } catch (e) {
      return String(value);
    }
  }

  function compact(value) {
    if (typeof value === 'string') return value;
    try {
      return JSON.stringify(value);
    } catch (e) {
      return String(value);
    }
  }

  function parseJsonish(text) {
    if (typeof text !== 'string') return undefined;
    var t = text.trim();
    if (!(t.charAt(0) === '{' || t.charAt(0) === '[')) return undefined;
    try {
      return JSON.parse(t);
    } catch (e) {
      return undefined;
    }
  }

  var NUMBER = new Intl.NumberFormat('en-US');

  function ago(iso) {
    var t = Date.parse(iso);
    if (!Number.isFinite(t)) return '';
    var s = Math.max(0, Math.round((Date.now() - t) / 1000));
    if (s < 5) return 'just now';
    if (s < 60) return s + 's ago';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm ago';
    var h = Math.floor(m / 60);
    if (h < 24) return h + 'h ago';
    return Math.floor(h / 24) + 'd ago';
  }

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  function clock(iso) {
    var d = new Date(iso);
    if (!Number.isFinite(d.getTime())) return String(iso);
    var time = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
    if (d.toDateString() === new Date().toDateString()) return time;
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + time;
  }

  function agoNode(iso, className) {
    return el('span', { className: className, 'data-ago': iso, title: iso, text: ago(iso) });
  }

  // ---- chips: latency, time to first token, tokens ---------------------------------------------------

  var TOKEN_CHIPS = [
    ['input', 'in'],
    ['output', 'out'],
    ['total', 'total'],
    ['reasoning', 'reasoning'],
    ['cached', 'cached'],
  ];

  function duration(ms) {
    if (ms < 1000) return Math.round(ms) + ' ms';
    return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  }

  function chip(kind, label, value, title) {
    return el('span', { className: 'chip ' + kind, 'data-chip': kind, title: title }, [
      el('span', { className: 'k', text: label }),
      ' ',
      el('b', { text: value }),
    ]);
  }

  /** The figures of a turn as small labelled chips; null when there are none. */
  function chipsNode(facts) {
    if (!facts) return null;
    var chips = [];
    if (facts.latencyMs !== null) chips.push(chip('latency', 'latency', duration(facts.latencyMs), 'end - start of the turn'));
    if (facts.timeToFirstTokenMs !== null) chips.push(chip('ttft', 'TTFT', duration(facts.timeToFirstTokenMs), 'time to first token'));
    if (facts.tokens) {
      TOKEN_CHIPS.forEach(function (pair) {
        var n = facts.tokens[pair[0]];
        if (typeof n === 'number') chips.push(chip(pair[0], pair[1], NUMBER.format(n), pair[0] + ' tokens'));
      });
    }
    if (chips.length === 0) return null;
    if (facts.model) chips.push(chip('model', 'model', facts.model));
    if (facts.from === 'thread') {
      chips.push(el('span', { className: 'chip scope', 'data-chip': 'scope', title: "From Melodi's thread metadata, which describes the thread's latest turn only", text: 'latest turn' }));
    }
    return el('div', { className: 'chips', 'data-testid': 'chips' }, chips);
  }

  function errorText(error) {
    if (!error) return '';
    return error.name ? error.name + ': ' + error.message : error.message;
  }

  /** An error or aborted badge; null for ok and unknown. */
  function statusBadge(status, error) {
    if (status !== 'error' && status !== 'aborted') return null;
    return el('span', {
      className: 'status-badge ' + status,
      'data-testid': 'status-badge',
      'data-status': status,
      title: error ? errorText(error) : status,
      text: status,
    });
  }

  // ---- thread list --------------------------------------------------------------------------------

  function userLabel(user) {
    if (!user) return '';
    var label = user.name || user.username || user.email || user.id;
    return label === user.id ? String(user.id) : label + ' (' + user.id + ')';
  }

  function copiesOf(entry) {
    return [entry.mielto, entry.melodi].filter(Boolean);
  }

  function matchesFilter(entry, needle) {
    if (!needle) return true;
    var hay = [entry.key, entry.title, entry.threadId, userLabel(entry.user)];
    if (entry.user && entry.user.email) hay.push(entry.user.email);
    if (entry.error) hay.push(errorText(entry.error));
    copiesOf(entry).forEach(function (copy) {
      hay.push(copy.backend, copy.id, copy.title);
      copy.messages.forEach(function (m) {
        if (typeof m.content === 'string') hay.push(m.content);
      });
    });
    return hay.some(function (s) {
      return typeof s === 'string' && s.toLowerCase().indexOf(needle) !== -1;
    });
  }

  function matchesStatus(entry) {
    return state.status === 'all' || entry.status === state.status;
  }

  function badge(backend) {
    return el('span', {
      className: 'badge ' + backend,
      'data-testid': 'backend-badge',
      'data-backend': backend,
      text: backend === 'mielto' ? 'Mielto' : backend === 'melodi' ? 'Melodi' : backend,
    });
  }

  function turnsText(n) {
    return n + (n === 1 ? ' turn' : ' turns');
  }

  function renderStatusFilter() {
    var counts = { all: state.entries.length, ok: 0, error: 0, aborted: 0 };
    state.entries.forEach(function (entry) {
      counts[entry.status] = (counts[entry.status] || 0) + 1;
    });
    document.querySelectorAll('#status-filter button').forEach(function (button) {
      var status = button.getAttribute('data-status');
      button.setAttribute('aria-pressed', status === state.status ? 'true' : 'false');
      button.querySelector('.n').textContent = NUMBER.format(counts[status] || 0);
    });
  }

  function renderList() {
    var list = $('threads');
    var needle = state.filter.trim().toLowerCase();
    var shown = state.entries.filter(function (entry) {
      return matchesStatus(entry) && matchesFilter(entry, needle);
    });
    var items = shown.map(function (entry) {
      var backends = copiesOf(entry).map(function (copy) {
        return badge(copy.backend);
      });
      var button = el(
        'button',
        {
          type: 'button',
          className: 'thread',
          'data-testid': 'thread-item',
          'data-key': entry.key,
          'data-status': entry.status,
          'data-backends': copiesOf(entry)
            .map(function (c) {
              return c.backend;
            })
            .join(' '),
          'aria-current': entry.key === state.selectedKey ? 'true' : 'false',
        },
        [
          el('div', { className: 'row' }, [
            statusBadge(entry.status, entry.error),
            el('span', { className: 'title', 'data-testid': 'thread-title', text: entry.title }),
          ]),
          el('div', { className: 'row sub' }, [
            el('span', { className: 'backends' }, backends),
            el('span', { className: 'user', text: userLabel(entry.user) || 'no user' }),
            el('span', { 'data-testid': 'thread-turns', text: turnsText(entry.turns.length) }),
            agoNode(entry.updatedAt, 'when'),
          ]),
        ],
      );
      button.addEventListener('click', function () {
        select(entry.key);
      });
      return el('li', null, [button]);
    });
    if (items.length === 0 && state.entries.length > 0) {
      var why = state.filter ? 'No thread matches \u201c' + state.filter + '\u201d' : 'No thread';
      if (state.status !== 'all') why += ' with status ' + state.status;
      items.push(el('li', { className: 'none', text: why + '.' }));
    }
    list.replaceChildren.apply(list, items);
    $('count-threads').textContent = NUMBER.format(state.entries.length);
    $('list-toggle-count').textContent = NUMBER.format(shown.length);
    renderStatusFilter();
  }

  function setListOpen(open) {
    state.listOpen = open;
    $('layout').classList.toggle('list-closed', !open);
    $('list-toggle').setAttribute('aria-expanded', open ? 'true' : 'false');
  }

  function select(key) {
    var found = findEntry(key);
    state.selectedKey = found ? found.entry.key : key;
    if (found && found.view) state.view = found.view;
    history.replaceState(null, '', '#' + encodeURIComponent(state.selectedKey));
    if (narrow.matches) setListOpen(false);
    renderList();
    renderMain();
  }

  // ---- the selected thread ------------------------------------------------------------------------

  /** The entry for a key: its own, or 'mielto:<id>' / 'melodi:<id>' of a copy (then shown in that view). */
  function findEntry(key) {
    if (!key) return null;
    var i;
    for (i = 0; i < state.entries.length; i++) {
      if (state.entries[i].key === key) return { entry: state.entries[i], view: null };
    }
    var colon = key.indexOf(':');
    var backend = key.slice(0, colon);
    var id = key.slice(colon + 1);
    if (backend !== 'mielto' && backend !== 'melodi') return null;
    for (i = 0; i < state.entries.length; i++) {
      var copy = state.entries[i][backend];
      if (copy && copy.id === id) return { entry: state.entries[i], view: backend };
    }
    return null;
  }

  function selectedEntry() {
    var found = findEntry(state.selectedKey);
    return found ? found.entry : null;
  }

  /** Which copies to show: both side by side, or one (narrow screens show one at a time). */
  function effectiveView(entry) {
    if (!entry.mielto) return 'melodi';
    if (!entry.melodi) return 'mielto';
    var view = state.view || (narrow.matches ? 'mielto' : 'both');
    if (view === 'both' && narrow.matches) view = 'mielto';
    return view;
  }

  function metaTable(meta) {
    var keys = isObject(meta) ? Object.keys(meta) : [];
    if (keys.length === 0) return null;
    var rows = keys.map(function (k) {
      return el('tr', null, [el('th', { scope: 'row', text: k }), el('td', { text: compact(meta[k]) })]);
    });
    return el('table', { className: 'meta', 'data-testid': 'thread-metadata' }, [el('tbody', null, rows)]);
  }

  function renderHead(entry, view) {
    var ids = [];
    if (entry.threadId) ids.push(el('span', null, ['thread ', el('code', { 'data-testid': 'thread-id', text: entry.threadId })]));
    if (entry.user) ids.push(el('span', { 'data-testid': 'thread-user' }, ['user ', el('code', { text: userLabel(entry.user) })]));
    if (entry.user && entry.user.email && userLabel(entry.user).indexOf(entry.user.email) === -1) {
      ids.push(el('span', null, ['email ', el('code', { text: entry.user.email })]));
    }
    if (entry.user && entry.user.segments) {
      Object.keys(entry.user.segments).forEach(function (key) {
        ids.push(el('span', { 'data-testid': 'thread-segment' }, [key + ' ', el('code', { text: entry.user.segments[key] })]));
      });
    }
    ids.push(el('span', { 'data-testid': 'thread-turn-count', text: turnsText(entry.turns.length) }));
    ids.push(el('span', null, ['created ', agoNode(entry.createdAt)]));
    ids.push(el('span', null, ['updated ', agoNode(entry.updatedAt)]));

    var switchButtons = [['both', 'Side by side'], ['mielto', 'Mielto'], ['melodi', 'Melodi']].map(function (pair) {
      var missing = pair[0] !== 'both' && !entry[pair[0]];
      var bothUnavailable = pair[0] === 'both' && !(entry.mielto && entry.melodi);
      var button = el('button', {
        type: 'button',
        className: pair[0] === 'both' ? 'wide-only' : null,
        'data-view': pair[0],
        'aria-pressed': view === pair[0] ? 'true' : 'false',
        disabled: missing || bothUnavailable,
        title: missing ? (pair[1] + ' has no copy of this thread') : null,
        text: missing ? pair[1] + ' \u2014 none' : pair[1],
      });
      button.addEventListener('click', function () {
        state.view = pair[0];
        renderMain();
      });
      return button;
    });

    $('thread-head').replaceChildren(
      el('h1', null, [
        statusBadge(entry.status, entry.error),
        el('span', { className: 'text', 'data-testid': 'thread-heading', text: entry.title }),
      ]),
      el('div', { className: 'ids' }, ids),
      entry.error
        ? el('div', { className: 'thread-error', 'data-testid': 'thread-error', 'data-status': entry.status }, [
            el('b', { text: entry.status === 'aborted' ? 'aborted' : 'error' }),
            ' ',
            errorText(entry.error),
          ])
        : null,
      el('div', { className: 'switch', role: 'group', 'aria-label': 'Backend', 'data-testid': 'view-switch' }, switchButtons),
    );
  }

  function block(kind, testid, headParts, value) {
    return el('div', { className: 'block ' + kind, 'data-testid': testid }, [
      el('div', { className: 'block-head' }, headParts),
      el('pre', { text: pretty(value) }),
    ]);
  }

  /** Every tool result of a thread by the call id it answers. */
  function resultsByCall(thread) {
    var results = {};
    thread.messages.forEach(function (m, index) {
      if (m.toolResult && typeof m.toolResult.toolCallId === 'string') {
        results[m.toolResult.toolCallId] = { result: m.toolResult, index: index };
      }
    });
    return results;
  }

  /** Call ids of the thread's tool calls, so a result knows its call is shown on a card already. */
  function callIdsOf(thread) {
    var ids = {};
    thread.messages.forEach(function (m) {
      (m.calls || []).forEach(function (call) {
        if (typeof call.id === 'string') ids[call.id] = call;
      });
    });
    return ids;
  }

  function stateLabel(result) {
    if (!result) return 'pending';
    return result.isError ? 'error' : 'ok';
  }

  /** A tool call as a card: name, id, arguments, and the result the thread holds for it. */
  function toolCallCard(call, found) {
    var result = found ? found.result : null;
    var cardState = stateLabel(result);
    var head = [
      el('span', { className: 'card-kind', text: 'tool call' }),
      el('b', { 'data-testid': 'tool-name', text: call.name || '(unnamed)' }),
    ];
    if (call.id) head.push(el('span', { className: 'call-id', text: call.id }));
    head.push(el('span', { className: 'tool-state ' + cardState, 'data-testid': 'tool-state', text: cardState === 'pending' ? 'no result' : cardState }));
    var parts = [
      el('div', { className: 'card-head' }, head),
      el('div', { className: 'card-label', text: 'arguments' }),
      el('pre', { 'data-testid': 'tool-args', text: pretty(call.args) }),
    ];
    if (result) {
      parts.push(el('div', { className: 'card-label', text: result.isError ? 'error' : 'result' }));
      parts.push(el('pre', { 'data-testid': 'tool-output', text: pretty(result.output) }));
    }
    return el('div', { className: 'card tool-call', 'data-testid': 'tool-call', 'data-state': cardState }, parts);
  }

  /** A tool result; folded when its call's card already shows it. */
  function toolResultCard(result, onCard) {
    var cardState = result.isError ? 'error' : 'ok';
    var head = [
      el('span', { className: 'card-kind', text: 'tool result' }),
      el('b', { text: result.name || '(unnamed)' }),
    ];
    if (result.toolCallId) head.push(el('span', { className: 'call-id', text: result.toolCallId }));
    head.push(el('span', { className: 'tool-state ' + cardState, 'data-testid': 'tool-state', text: cardState }));
    var output = el('pre', { 'data-testid': 'tool-output', text: pretty(result.output) });
    var body = onCard
      ? el('details', { className: 'folded' }, [el('summary', { text: 'output (shown on the call above)' }), output])
      : output;
    return el('div', { className: 'card tool-result', 'data-testid': 'tool-result', 'data-state': cardState }, [
      el('div', { className: 'card-head' }, head),
      body,
    ]);
  }

  function messageNode(m, index, ctx) {
    var role = typeof m.role === 'string' && m.role ? m.role : 'unknown';
    var facts = m.facts;
    var head = [el('span', { className: 'role', 'data-testid': 'message-role', text: role })];
    if (m.senderId) head.push(el('span', { className: 'sender', title: 'sender id', text: m.senderId }));
    if (facts) {
      var status = statusBadge(facts.status, facts.error);
      if (status) head.push(status);
    }
    if (m.createdAt) head.push(el('time', { className: 'time', datetime: m.createdAt, title: m.createdAt, text: clock(m.createdAt) }));

    var body = [el('div', { className: 'bubble-head' }, head)];
    var calls = Array.isArray(m.calls) ? m.calls : [];
    var text = typeof m.content === 'string' ? m.content : calls.length > 0 && isObject(m.json) && typeof m.json.content === 'string' ? m.json.content : '';
    var structured = calls.length > 0 || m.toolResult;

    if (m.toolResult) {
      var onCard = typeof m.toolResult.toolCallId === 'string' && ctx.callIds[m.toolResult.toolCallId] !== undefined;
      body.push(toolResultCard(m.toolResult, onCard));
    } else if (text !== '') {
      body.push(el('div', { className: 'content', 'data-testid': 'message-content', text: text }));
    } else if (calls.length === 0 && (m.json === null || m.json === undefined)) {
      body.push(el('div', { className: 'content empty', 'data-testid': 'message-content', text: '(empty)' }));
    }
    if (!structured && m.json !== null && m.json !== undefined) body.push(block('json', 'message-json', ['json'], m.json));
    calls.forEach(function (call) {
      body.push(toolCallCard(call, typeof call.id === 'string' ? ctx.results[call.id] : null));
    });
    var chips = chipsNode(facts);
    if (chips) body.push(chips);
    if (facts && facts.error) {
      body.push(el('div', { className: 'msg-error', 'data-testid': 'message-error', text: errorText(facts.error) }));
    }
    if (isObject(m.metadata) && Object.keys(m.metadata).length > 0) {
      body.push(
        el('details', { className: 'msg-meta', 'data-testid': 'message-metadata' }, [
          el('summary', { text: 'metadata' }),
          el('pre', { text: pretty(m.metadata) }),
        ]),
      );
    }
    return el('div', { className: 'msg', 'data-testid': 'message', 'data-role': role.toLowerCase(), 'data-index': index }, [
      el('div', { className: 'bubble' }, body),
    ]);
  }

  /** What a message's bubble depends on: itself and the results shown on its call cards. */
  function signature(m, ctx) {
    var results = (m.calls || []).map(function (call) {
      return typeof call.id === 'string' && ctx.results[call.id] ? ctx.results[call.id].result : null;
    });
    var onCard = m.toolResult && typeof m.toolResult.toolCallId === 'string' && ctx.callIds[m.toolResult.toolCallId] !== undefined;
    return JSON.stringify([m, results, !!onCard]);
  }

  /** Turns that failed before answering: a marker at the end of the column, or nothing would show it. */
  function failedTurnMarkers(turns) {
    return turns
      .filter(function (turn) {
        return !turn.answered && turn.facts && (turn.facts.status === 'error' || turn.facts.status === 'aborted');
      })
      .map(function (turn) {
        var from = turn.facts.from === 'thread' ? " (Melodi's thread metadata)" : '';
        return el('div', { className: 'turn-failed', 'data-testid': 'turn-failed', 'data-status': turn.facts.status }, [
          statusBadge(turn.facts.status, turn.facts.error),
          el('span', { text: ' The turn ended without an answer' + from + (turn.facts.error ? ': ' + errorText(turn.facts.error) : '.') }),
          chipsNode(turn.facts),
        ]);
      });
  }

  function columnHead(entry, copy) {
    var what = copy.backend === 'mielto' ? 'conversation ' : 'thread ';
    var turnsNote = copy.turnsCountedBy === 'answers' ? ' (answers: no turn ids here)' : '';
    var notes = [
      badge(copy.backend),
      el('span', { className: 'copy-id' }, [what, el('code', { text: copy.id })]),
      el('span', { 'data-testid': 'column-turns', text: turnsText(copy.turns.length) + turnsNote }),
    ];
    var head = [el('div', { className: 'column-title' }, notes)];
    if (copy.backend === 'melodi') {
      head.push(el('p', { className: 'column-note', text: "Melodi keeps usage and timings for the latest turn only, in the thread's metadata." }));
    }
    var table = metaTable(copy.metadata);
    if (table) {
      head.push(el('details', { className: 'column-meta', 'data-testid': 'backend-metadata' }, [
        el('summary', { text: copy.backend === 'mielto' ? 'conversation metadata' : 'thread metadata' }),
        table,
      ]));
    }
    return el('div', { className: 'column-head' }, head);
  }

  function renderEntry(entry, view) {
    var columnsBox = $('columns');
    var backends = view === 'both' ? ['mielto', 'melodi'] : [view];
    var rebuild = state.shown.key !== entry.key || state.shown.view !== view;
    if (rebuild) {
      state.shown = { key: entry.key, view: view, sigs: {}, cols: {} };
      columnsBox.replaceChildren();
      columnsBox.setAttribute('data-view', view);
      backends.forEach(function (backend) {
        var col = {
          head: el('div'),
          list: el('div', { className: 'messages', 'data-testid': 'messages' }),
          tail: el('div', { className: 'col-tail' }),
        };
        state.shown.cols[backend] = col;
        state.shown.sigs[backend] = [];
        columnsBox.appendChild(
          el('section', { className: 'column', 'data-backend': backend, 'data-testid': 'backend-column' }, [col.head, col.list, col.tail]),
        );
      });
    }
    var added = 0;
    backends.forEach(function (backend) {
      var copy = entry[backend];
      var col = state.shown.cols[backend];
      var head = columnHead(entry, copy);
      col.head.replaceWith(head);
      col.head = head;
      var ctx = { results: resultsByCall(copy), callIds: callIdsOf(copy) };
      var before = state.shown.sigs[backend];
      // Only changed or new bubbles are replaced, so open <details> and text selections survive polling.
      var sigs = copy.messages.map(function (m) {
        return signature(m, ctx);
      });
      added = Math.max(added, sigs.length - before.length);
      sigs.forEach(function (sig, i) {
        if (before[i] === sig) return;
        var node = messageNode(copy.messages[i], i, ctx);
        var existing = col.list.children[i];
        if (existing) existing.replaceWith(node);
        else col.list.appendChild(node);
      });
      while (col.list.children.length > sigs.length) col.list.lastElementChild.remove();
      state.shown.sigs[backend] = sigs;
      // Mielto has no message for a turn that failed before answering; the merged turns borrow Melodi's word.
      var turns = backend === 'mielto' && copy.turnsCountedBy === 'turn-ids' ? entry.turns : copy.turns;
      col.tail.replaceChildren.apply(col.tail, failedTurnMarkers(turns));
    });
    return { rebuilt: rebuild, added: added };
  }

  function renderMain() {
    var scroller = $('scroller');
    var entry = selectedEntry();
    if (!entry) {
      state.shown = { key: null, view: null, sigs: {}, cols: {} };
      $('thread-head').replaceChildren();
      $('columns').replaceChildren();
      renderEmpty(state.entries.length === 0);
      return;
    }
    $('empty').hidden = true;
    var atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    var scrollTop = scroller.scrollTop;
    var view = effectiveView(entry);
    renderHead(entry, view);
    var result = renderEntry(entry, view);
    if (result.rebuilt || atBottom) {
      scroller.scrollTop = scroller.scrollHeight;
      setUnseen(0);
    } else {
      scroller.scrollTop = scrollTop;
      if (result.added > 0) setUnseen(state.unseen + result.added);
    }
  }

  function setUnseen(n) {
    state.unseen = n;
    var jump = $('jump');
    jump.hidden = n === 0;
    jump.textContent = '\u2193 ' + n + (n === 1 ? ' new message' : ' new messages');
  }

  function renderEmpty(noThreads) {
    var box = $('empty');
    box.hidden = false;
    if (!noThreads) {
      box.replaceChildren(el('p', { text: 'Select a thread.' }));
      return;
    }
    var origin = location.origin;
    var curl = [
      'curl -X POST ' + origin + '/api/v1/conversations \\',
      "  -H 'authorization: Bearer dev' -H 'content-type: application/json' \\",
      '  -d \'{"title":"Hello","messages":[{"role":"user","content":"Hi!"}]}\'',
      '',
      'curl -X PUT ' + origin + '/api/external/threads \\',
      "  -H 'api-key: dev' -H 'content-type: application/json' \\",
      '  -d \'{"projectId":1,"externalId":"t1","messages":[{"role":"user","content":"Hi!"}]}\'',
    ].join('\n');
    box.replaceChildren(
      el('h2', { text: 'No threads captured yet' }),
      el('p', {
        text: 'Point a chattrail destination (or any client) at this server instead of the real backend. Any non-empty key is accepted unless the server was started with apiKeys. Threads show up here as they arrive.',
      }),
      el('dl', null, [
        el('dt', { text: 'Mielto base URL' }),
        el('dd', { 'data-testid': 'mielto-base-url', text: origin + '/api/v1' }),
        el('dt', { text: 'Melodi base URL' }),
        el('dd', { 'data-testid': 'melodi-base-url', text: origin + '/api/external' }),
      ]),
      el('p', { text: 'Or try it from a shell:' }),
      el('pre', { text: curl }),
    );
  }

  // ---- header: counts, live state, recent requests -------------------------------------------------

  function setLive(ok) {
    var live = $('live');
    live.setAttribute('data-state', ok ? 'live' : 'offline');
    $('live-text').textContent = ok ? 'live' : 'offline';
    live.title = ok ? 'Polling the devserver every ' + POLL_MS + ' ms' : 'Cannot reach the devserver; retrying';
  }

  function renderStats(stats) {
    var mielto = stats.mielto || {};
    var melodi = stats.melodi || {};
    $('count-messages').textContent = NUMBER.format((mielto.messages || 0) + (melodi.messages || 0));
    $('count-requests').textContent = NUMBER.format(stats.requests || 0);
  }

  function renderRequests(entries) {
    var items = entries.map(function (r) {
      var ok = r.status >= 200 && r.status < 400;
      var tip = [r.at, r.fault ? 'fault: ' + r.fault : '', r.note || ''].filter(Boolean).join('\n');
      return el('li', { 'data-testid': 'request-item', title: tip }, [
        el('span', { className: 'status ' + (ok ? 'ok' : 'bad'), text: r.status === 0 ? '\u2014' : r.status }),
        el('span', { className: 'path', text: r.method + ' ' + r.path }),
        el('span', { className: 'ms', text: Math.round(r.durationMs) + ' ms' }),
      ]);
    });
    if (items.length === 0) items.push(el('li', { className: 'none', text: 'No requests yet.' }));
    $('request-list').replaceChildren.apply($('request-list'), items);
  }

  // ---- polling ------------------------------------------------------------------------------------

  function getJson(path) {
    return fetch(path, { cache: 'no-store', headers: { accept: 'application/json' } }).then(function (res) {
      if (!res.ok) throw new Error(path + ' answered ' + res.status);
      return res.json();
    });
  }

  function refreshThreads() {
    return getJson('/_devserver/merged-threads').then(function (data) {
      var first = state.version === -1;
      state.version = data.version;
      state.entries = Array.isArray(data.threads) ? data.threads : [];
      var found = findEntry(state.selectedKey);
      if (found && found.view) state.view = found.view;
      if (!found && state.entries.length > 0) state.selectedKey = state.entries[0].key;
      // On a narrow screen the thread comes first; the list opens from its toggle.
      if (first && narrow.matches && state.entries.length > 0) setListOpen(false);
      renderList();
      renderMain();
    });
  }

  function refreshStats() {
    var jobs = [getJson('/_devserver/stats').then(renderStats)];
    if ($('requests').open) jobs.push(getJson('/_devserver/requests?limit=' + REQUESTS_LIMIT).then(renderRequests));
    return Promise.all(jobs);
  }

  function tick() {
    var changed = false;
    getJson('/_devserver/version')
      .then(function (data) {
        changed = data.version !== state.version;
        return changed ? refreshThreads() : null;
      })
      .then(function () {
        // The request counter also moves on requests that change nothing, so stats poll on their own beat.
        return changed || state.polls % STATS_EVERY === 0 ? refreshStats() : null;
      })
      .then(
        function () {
          setLive(true);
        },
        function () {
          setLive(false);
        },
      )
      .then(function () {
        state.polls++;
        setTimeout(tick, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
      });
  }

  $('filter').addEventListener('input', function (event) {
    state.filter = event.target.value;
    renderList();
  });
  document.querySelectorAll('#status-filter button').forEach(function (button) {
    button.addEventListener('click', function () {
      state.status = button.getAttribute('data-status');
      renderList();
    });
  });
  $('list-toggle').addEventListener('click', function () {
    setListOpen(!state.listOpen);
  });
  narrow.addEventListener('change', function () {
    if (!narrow.matches) setListOpen(true);
    renderMain();
  });
  $('scroller').addEventListener('scroll', function () {
    var s = $('scroller');
    if (state.unseen > 0 && s.scrollHeight - s.scrollTop - s.clientHeight < 48) setUnseen(0);
  });
  $('jump').addEventListener('click', function () {
    var s = $('scroller');
    s.scrollTop = s.scrollHeight;
    setUnseen(0);
  });
  $('requests').addEventListener('toggle', function () {
    if ($('requests').open) refreshStats().catch(function () {});
  });
  window.addEventListener('hashchange', function () {
    var key = readHash();
    if (key && key !== state.selectedKey) select(key);
  });
  setInterval(function () {
    document.querySelectorAll('[data-ago]').forEach(function (node) {
      node.textContent = ago(node.getAttribute('data-ago'));
    });
  }, 10000);

  tick();
})();
`;
