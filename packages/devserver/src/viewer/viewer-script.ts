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
    threads: [],
    selectedKey: readHash(),
    filter: '',
    shownKey: null,
    shownSigs: [],
    unseen: 0,
    polls: 0,
  };

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

  function keyOf(thread) {
    return thread.backend + ':' + thread.id;
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

  // ---- tokens -------------------------------------------------------------------------------------

  // Normalised key (lower case, letters only) -> what it counts. Covers Turn.usage, OpenAI, Anthropic.
  var TOKEN_KEYS = {
    inputtokens: 'in',
    prompttokens: 'in',
    outputtokens: 'out',
    completiontokens: 'out',
    totaltokens: 'total',
    reasoningtokens: 'reasoning',
    cachedinputtokens: 'cached',
    cachedtokens: 'cached',
    cachereadinputtokens: 'cached',
  };
  var TOKEN_ORDER = ['in', 'out', 'total', 'reasoning', 'cached'];

  /** Token counts at the top level of metadata or one level down (usage, tokens, ...). */
  function findTokens(meta) {
    if (!isObject(meta)) return null;
    var found = {};
    var any = false;
    function take(obj) {
      Object.keys(obj).forEach(function (k) {
        var slot = TOKEN_KEYS[k.toLowerCase().replace(/[^a-z]/g, '')];
        var v = obj[k];
        if (slot && typeof v === 'number' && Number.isFinite(v) && found[slot] === undefined) {
          found[slot] = v;
          any = true;
        }
      });
    }
    take(meta);
    Object.keys(meta).forEach(function (k) {
      if (isObject(meta[k])) take(meta[k]);
    });
    return any ? found : null;
  }

  function tokensNode(meta) {
    var tokens = findTokens(meta);
    if (!tokens) return null;
    var parts = TOKEN_ORDER.filter(function (slot) {
      return tokens[slot] !== undefined;
    }).map(function (slot) {
      return el('span', { 'data-token': slot, text: NUMBER.format(tokens[slot]) + ' ' + slot });
    });
    return el('span', { className: 'tokens', 'data-testid': 'tokens', title: 'tokens' }, parts);
  }

  // ---- thread list --------------------------------------------------------------------------------

  function userLabel(user) {
    if (!user) return '';
    var label = user.name || user.username || user.email || user.id;
    return label === user.id ? String(user.id) : label + ' (' + user.id + ')';
  }

  function matchesFilter(thread, needle) {
    if (!needle) return true;
    var hay = [thread.backend, thread.id, thread.title, thread.externalId, userLabel(thread.user)];
    if (thread.user && thread.user.email) hay.push(thread.user.email);
    thread.messages.forEach(function (m) {
      if (typeof m.content === 'string') hay.push(m.content);
    });
    return hay.some(function (s) {
      return typeof s === 'string' && s.toLowerCase().indexOf(needle) !== -1;
    });
  }

  function badge(backend) {
    return el('span', {
      className: 'badge ' + backend,
      'data-testid': 'backend-badge',
      text: backend === 'mielto' ? 'Mielto' : backend === 'melodi' ? 'Melodi' : backend,
    });
  }

  function renderList() {
    var list = $('threads');
    var needle = state.filter.trim().toLowerCase();
    var shown = state.threads.filter(function (t) {
      return matchesFilter(t, needle);
    });
    var items = shown.map(function (thread) {
      var key = keyOf(thread);
      var count = thread.messages.length;
      var button = el(
        'button',
        {
          type: 'button',
          className: 'thread',
          'data-testid': 'thread-item',
          'data-key': key,
          'data-backend': thread.backend,
          'aria-current': key === state.selectedKey ? 'true' : 'false',
        },
        [
          el('div', { className: 'row' }, [
            badge(thread.backend),
            el('span', { className: 'title', 'data-testid': 'thread-title', text: thread.title || thread.externalId || thread.id }),
          ]),
          el('div', { className: 'row sub' }, [
            el('span', { className: 'user', text: userLabel(thread.user) || 'no user' }),
            el('span', { 'data-testid': 'thread-count', text: count + (count === 1 ? ' message' : ' messages') }),
            agoNode(thread.updatedAt, 'when'),
          ]),
        ],
      );
      button.addEventListener('click', function () {
        select(key);
      });
      return el('li', null, [button]);
    });
    if (items.length === 0 && state.threads.length > 0) {
      items.push(el('li', { className: 'none', text: 'No thread matches \u201c' + state.filter + '\u201d.' }));
    }
    list.replaceChildren.apply(list, items);
  }

  function select(key) {
    state.selectedKey = key;
    history.replaceState(null, '', '#' + encodeURIComponent(key));
    renderList();
    renderMain();
  }

  // ---- the selected thread ------------------------------------------------------------------------

  function metaTable(meta) {
    var keys = isObject(meta) ? Object.keys(meta) : [];
    if (keys.length === 0) return null;
    var rows = keys.map(function (k) {
      return el('tr', null, [el('th', { scope: 'row', text: k }), el('td', { text: compact(meta[k]) })]);
    });
    return el('table', { className: 'meta', 'data-testid': 'thread-metadata' }, [el('tbody', null, rows)]);
  }

  function renderHead(thread) {
    var ids = [el('span', null, ['id ', el('code', { text: thread.id })])];
    if (thread.externalId && thread.externalId !== thread.id) {
      ids.push(el('span', null, ['external id ', el('code', { text: thread.externalId })]));
    }
    if (thread.user) ids.push(el('span', { 'data-testid': 'thread-user' }, ['user ', el('code', { text: userLabel(thread.user) })]));
    if (thread.user && thread.user.email && userLabel(thread.user).indexOf(thread.user.email) === -1) {
      ids.push(el('span', null, ['email ', el('code', { text: thread.user.email })]));
    }
    if (thread.user && thread.user.segments) {
      Object.keys(thread.user.segments).forEach(function (key) {
        ids.push(el('span', { 'data-testid': 'thread-segment' }, [key + ' ', el('code', { text: thread.user.segments[key] })]));
      });
    }
    ids.push(el('span', null, ['created ', agoNode(thread.createdAt)]));
    ids.push(el('span', null, ['updated ', agoNode(thread.updatedAt)]));
    $('thread-head').replaceChildren(
      el('h1', null, [badge(thread.backend), el('span', { className: 'text', 'data-testid': 'thread-heading', text: thread.title || thread.id })]),
      el('div', { className: 'ids' }, ids),
      tokensNode(thread.metadata) || document.createTextNode(''),
      metaTable(thread.metadata) || document.createTextNode(''),
    );
  }

  function block(kind, testid, headParts, value) {
    return el('div', { className: 'block ' + kind, 'data-testid': testid }, [
      el('div', { className: 'block-head' }, headParts),
      el('pre', { text: pretty(value) }),
    ]);
  }

  /** Shows a call as its name and decoded arguments; shapes we do not know are shown whole. */
  function toolCallNode(call) {
    var fn = isObject(call) && isObject(call.function) ? call.function : null;
    var name = fn && typeof fn.name === 'string' ? fn.name : isObject(call) && typeof call.name === 'string' ? call.name : null;
    var args = fn ? fn.arguments : isObject(call) ? (call.args !== undefined ? call.args : call.arguments) : undefined;
    if (typeof args === 'string') {
      var parsed = parseJsonish(args);
      if (parsed !== undefined) args = parsed;
    }
    var known = name !== null && args !== undefined;
    var head = ['tool call'];
    if (name !== null) head.push(el('b', { text: name }));
    if (isObject(call) && typeof call.id === 'string') head.push(el('span', { text: call.id }));
    return block('tool-call', 'tool-call', head, known ? args : call);
  }

  function toolCallIdOf(meta) {
    if (!isObject(meta)) return null;
    var id = meta.tool_call_id !== undefined ? meta.tool_call_id : meta.toolCallId;
    return typeof id === 'string' ? id : null;
  }

  function messageNode(m, index) {
    var role = typeof m.role === 'string' && m.role ? m.role : 'unknown';
    var head = [el('span', { className: 'role', 'data-testid': 'message-role', text: role })];
    if (m.senderId) head.push(el('span', { className: 'sender', title: 'sender id', text: m.senderId }));
    var tokens = tokensNode(m.metadata);
    if (tokens) head.push(tokens);
    if (m.createdAt) head.push(el('time', { className: 'time', datetime: m.createdAt, title: m.createdAt, text: clock(m.createdAt) }));

    var body = [el('div', { className: 'bubble-head' }, head)];
    var calls = Array.isArray(m.toolCalls) ? m.toolCalls : [];
    var hasText = typeof m.content === 'string' && m.content !== '';
    var result = role.toLowerCase() === 'tool' ? parseJsonish(m.content) : undefined;

    if (result !== undefined) {
      var resultHead = ['tool result'];
      var callId = toolCallIdOf(m.metadata);
      if (callId) resultHead.push(el('span', { text: callId }));
      body.push(block('tool-result', 'tool-result', resultHead, result));
    } else if (hasText) {
      body.push(el('div', { className: 'content', 'data-testid': 'message-content', text: m.content }));
    } else if (calls.length === 0 && (m.json === null || m.json === undefined)) {
      body.push(el('div', { className: 'content empty', 'data-testid': 'message-content', text: '(empty)' }));
    }
    if (m.json !== null && m.json !== undefined) body.push(block('json', 'message-json', ['json'], m.json));
    calls.forEach(function (call) {
      body.push(toolCallNode(call));
    });
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

  function selectedThread() {
    for (var i = 0; i < state.threads.length; i++) {
      if (keyOf(state.threads[i]) === state.selectedKey) return state.threads[i];
    }
    return null;
  }

  function renderMain() {
    var scroller = $('scroller');
    var messages = $('messages');
    var thread = selectedThread();
    if (!thread) {
      state.shownKey = null;
      state.shownSigs = [];
      $('thread-head').replaceChildren();
      messages.replaceChildren();
      renderEmpty(state.threads.length === 0);
      return;
    }
    $('empty').hidden = true;
    var key = keyOf(thread);
    var sameThread = key === state.shownKey;
    var atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    var scrollTop = scroller.scrollTop;

    renderHead(thread);
    // Only changed or new bubbles are replaced, so open <details> and text selections survive polling.
    if (!sameThread) {
      messages.replaceChildren();
      state.shownSigs = [];
    }
    var sigs = thread.messages.map(function (m) {
      return JSON.stringify(m);
    });
    var added = Math.max(0, sigs.length - state.shownSigs.length);
    sigs.forEach(function (sig, i) {
      if (state.shownSigs[i] === sig) return;
      var node = messageNode(thread.messages[i], i);
      var existing = messages.children[i];
      if (existing) existing.replaceWith(node);
      else messages.appendChild(node);
    });
    while (messages.children.length > sigs.length) messages.lastElementChild.remove();
    state.shownSigs = sigs;
    state.shownKey = key;

    if (!sameThread || atBottom) {
      scroller.scrollTop = scroller.scrollHeight;
      setUnseen(0);
    } else {
      scroller.scrollTop = scrollTop;
      if (added > 0) setUnseen(state.unseen + added);
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
      box.replaceChildren(el('p', { text: 'Select a thread on the left.' }));
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
    $('count-threads').textContent = NUMBER.format((mielto.conversations || 0) + (melodi.threads || 0));
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
    return getJson('/_devserver/threads').then(function (data) {
      state.version = data.version;
      state.threads = Array.isArray(data.threads) ? data.threads : [];
      if (!selectedThread() && state.threads.length > 0) state.selectedKey = keyOf(state.threads[0]);
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
