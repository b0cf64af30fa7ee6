// The status page of 'tether up --http': one table row per instance, kept current by the server-sent events of
// /api/events (no reload loop). Rows are created once and only changed cells are touched, so 200 services stay cheap;
// the log view keeps at most MAX_LOG_LINES lines and applies a flood once per animation frame.
'use strict';
(() => {
  const MAX_LOG_LINES = 500;
  const csrf = document.querySelector('meta[name="tether-csrf"]').content;
  const tbody = document.querySelector('#services tbody');
  const rows = new Map();
  let receivedAt = 0;
  let selected = null;
  let logAbort = null;
  let timelineTimer = 0;

  const STATE_TONE = {
    ready: 'ok', running: 'ok', completed: 'ok',
    waiting: 'warn', starting: 'warn', restarting: 'warn', stopping: 'warn',
    failed: 'bad', exited: 'bad',
    stopped: 'idle',
  };

  function duration(ms) {
    const s = Math.floor(ms / 1000);
    if (s < 60) return s + 's';
    const m = Math.floor(s / 60);
    if (m < 60) return m + 'm ' + (s % 60) + 's';
    const h = Math.floor(m / 60);
    if (h < 24) return h + 'h ' + (m % 60) + 'm';
    return Math.floor(h / 24) + 'd ' + (h % 24) + 'h';
  }

  function instanceName(i) { return i.index === 0 ? i.service : i.service + '#' + i.index; }

  function set(cell, text) { if (cell.textContent !== text) cell.textContent = text; }

  function createRow(key) {
    const tr = document.createElement('tr');
    tr.dataset.instance = key;
    const cells = {};
    for (const name of ['name', 'state', 'pid', 'uptime', 'restarts', 'health', 'exit', 'reason', 'actions']) {
      const td = document.createElement('td');
      td.className = 'c-' + name + (['pid', 'uptime', 'restarts'].includes(name) ? ' num' : '') + (name === 'actions' ? ' actions' : '');
      tr.appendChild(td);
      cells[name] = td;
    }
    const nameButton = document.createElement('button');
    nameButton.type = 'button';
    nameButton.className = 'name';
    cells.name.appendChild(nameButton);
    const badge = document.createElement('span');
    badge.className = 'badge';
    cells.state.appendChild(badge);
    for (const action of ['restart', 'stop', 'start']) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.action = action;
      b.textContent = action;
      cells.actions.appendChild(b);
    }
    return { tr, cells, nameButton, badge, data: null };
  }

  function render(status) {
    receivedAt = performance.now();
    document.getElementById('project').textContent = status.project_directory;
    const seen = new Set();
    let previous = null;
    let ready = 0;
    for (const i of status.instances) {
      const key = i.service + '#' + i.index;
      seen.add(key);
      let row = rows.get(key);
      if (!row) {
        row = createRow(key);
        rows.set(key, row);
      }
      // Keep the server's order without rebuilding: move a row only when it is out of place.
      const expected = previous ? previous.nextSibling : tbody.firstChild;
      if (expected !== row.tr) tbody.insertBefore(row.tr, expected);
      previous = row.tr;
      row.data = i;
      row.tr.dataset.service = i.service;
      row.tr.classList.toggle('selected', i.service === selected);
      set(row.nameButton, instanceName(i));
      set(row.badge, i.state);
      const tone = 'badge ' + (STATE_TONE[i.state] || 'idle');
      if (row.badge.className !== tone) row.badge.className = tone;
      row.tr.dataset.state = i.state;
      set(row.cells.pid, i.pid == null ? '–' : String(i.pid));
      set(row.cells.restarts, String(i.restarts));
      set(row.cells.health, i.health);
      const healthClass = 'c-health health-' + i.health;
      if (row.cells.health.className !== healthClass) row.cells.health.className = healthClass;
      set(row.cells.exit, i.last_exit ? i.last_exit.text : '–');
      set(row.cells.reason, i.reason || '');
      row.cells.reason.title = i.reason || '';
      if (i.state === 'ready' || i.state === 'running' || i.state === 'completed') ready++;
    }
    for (const [key, row] of rows) {
      if (!seen.has(key)) { row.tr.remove(); rows.delete(key); }
    }
    document.getElementById('empty').hidden = status.instances.length !== 0;
    const dropped = Object.values(status.dropped_log_lines || {}).reduce((a, b) => a + b, 0);
    document.getElementById('summary').textContent =
      ready + ' of ' + status.instances.length + ' up' + (dropped ? ' · ' + dropped + ' log lines lost' : '') + (status.shutting_down ? ' · shutting down' : '');
    tickUptimes();
    if (selected) scheduleTimeline();
  }

  function tickUptimes() {
    const elapsed = performance.now() - receivedAt;
    for (const row of rows.values()) {
      const i = row.data;
      set(row.cells.uptime, i && i.uptime_ms != null && i.pid != null ? duration(i.uptime_ms + elapsed) : '–');
    }
  }

  function say(text) {
    const box = document.getElementById('message');
    box.textContent = text;
    box.classList.add('shown');
    clearTimeout(say.timer);
    say.timer = setTimeout(() => box.classList.remove('shown'), 4000);
  }

  async function command(service, action, button) {
    button.disabled = true;
    try {
      const answer = await fetch('/api/services/' + encodeURIComponent(service) + '/' + action, {
        method: 'POST', credentials: 'same-origin', headers: { 'X-Tether-CSRF': csrf },
      });
      const body = await answer.json().catch(() => ({}));
      say(answer.ok ? action + ' ' + service + ': accepted' : action + ' ' + service + ': ' + ((body.error && body.error.message) || answer.status));
    } catch (e) {
      say(action + ' ' + service + ': ' + e.message);
    } finally {
      button.disabled = false;
    }
  }

  tbody.addEventListener('click', e => {
    const tr = e.target.closest('tr');
    if (!tr) return;
    const service = tr.dataset.service;
    if (e.target.dataset.action) command(service, e.target.dataset.action, e.target);
    else if (e.target.classList.contains('name')) select(service);
  });

  function select(service) {
    selected = service;
    for (const row of rows.values()) row.tr.classList.toggle('selected', row.data && row.data.service === service);
    const detail = document.getElementById('detail');
    detail.hidden = false;
    document.getElementById('detail-title').textContent = service;
    loadTimeline();
    followLog(service);
  }

  document.getElementById('detail-close').addEventListener('click', () => {
    selected = null;
    if (logAbort) logAbort.abort();
    document.getElementById('detail').hidden = true;
    for (const row of rows.values()) row.tr.classList.remove('selected');
  });

  function scheduleTimeline() {
    clearTimeout(timelineTimer);
    timelineTimer = setTimeout(loadTimeline, 300);
  }

  async function loadTimeline() {
    const service = selected;
    if (!service) return;
    const answer = await fetch('/api/journal?service=' + encodeURIComponent(service) + '&limit=100', { credentials: 'same-origin' }).catch(() => null);
    if (!answer || !answer.ok || service !== selected) return;
    const body = await answer.json();
    const list = document.getElementById('timeline');
    const items = body.entries.slice().reverse().map(entry => {
      const li = document.createElement('li');
      const time = document.createElement('time');
      time.dateTime = entry.time;
      time.textContent = new Date(entry.time).toLocaleTimeString([], { hour12: false });
      const text = document.createElement('span');
      text.textContent = (entry.instance && entry.instance !== service + '#0' && entry.instance !== service ? entry.instance + ' ' : '') + entry.text;
      li.append(time, text);
      li.dataset.type = entry.type;
      return li;
    });
    list.replaceChildren(...items);
  }

  function followLog(service) {
    if (logAbort) logAbort.abort();
    const controller = new AbortController();
    logAbort = controller;
    const view = document.getElementById('log');
    view.replaceChildren();
    const pending = [];
    let skipped = 0;
    let frame = 0;
    const flush = () => {
      frame = 0;
      const stick = view.scrollTop + view.clientHeight >= view.scrollHeight - 4;
      const fragment = document.createDocumentFragment();
      for (const line of pending) {
        const div = document.createElement('div');
        if (line.stream === 'stderr') div.className = 'err';
        div.textContent = (line.index ? '#' + line.index + ' ' : '') + line.text;
        fragment.appendChild(div);
      }
      pending.length = 0;
      view.appendChild(fragment);
      while (view.childElementCount > MAX_LOG_LINES) view.firstElementChild.remove();
      document.getElementById('log-hint').textContent = skipped ? '(last ' + MAX_LOG_LINES + ' lines; ' + skipped + ' skipped in a burst)' : '(last ' + MAX_LOG_LINES + ' lines)';
      if (stick) view.scrollTop = view.scrollHeight;
    };
    const push = line => {
      pending.push(line);
      // A flood between two frames: keep only what the view could show.
      if (pending.length > MAX_LOG_LINES) { pending.shift(); skipped++; }
      if (!frame) frame = requestAnimationFrame(flush);
    };
    (async () => {
      try {
        const answer = await fetch('/api/logs?service=' + encodeURIComponent(service) + '&lines=200&follow=1', { credentials: 'same-origin', signal: controller.signal });
        if (!answer.ok || !answer.body) return;
        const reader = answer.body.getReader();
        const decoder = new TextDecoder();
        let rest = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          rest += decoder.decode(value, { stream: true });
          const parts = rest.split('\n');
          rest = parts.pop();
          for (const part of parts) if (part) push(JSON.parse(part));
        }
      } catch (e) {
        if (e.name !== 'AbortError') say('log of ' + service + ': ' + e.message);
      }
    })();
  }

  function connect() {
    const connection = document.getElementById('connection');
    const events = new EventSource('/api/events');
    events.addEventListener('status', e => render(JSON.parse(e.data)));
    events.onopen = () => { connection.dataset.state = 'live'; connection.textContent = 'live'; };
    // EventSource reconnects by itself; the badge says so meanwhile.
    events.onerror = () => { connection.dataset.state = 'lost'; connection.textContent = 'reconnecting…'; };
  }

  setInterval(tickUptimes, 1000);
  connect();
})();
