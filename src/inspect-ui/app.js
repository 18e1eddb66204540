// The inspector page: a live list of the supervisor and every topic (pushed by the server as
// server-sent events), and for the selected one its statechart, recent events, transition history
// and context. Everything shown comes from the server already sanitized; it is inserted as text.

import { renderChart } from './statechart.js';

const rows = new Map();
let supervisor = null;
let selected = null;
/** Server clock minus this page's clock: elapsed times are computed on the server's time. */
let clockOffset = 0;
let detailTimer = null;
let storedOmitted = 0;

const $ = (id) => document.getElementById(id);

function connect() {
  const source = new EventSource('events');
  source.addEventListener('open', () => setConnection('live'));
  source.addEventListener('error', () => setConnection('reconnecting'));
  source.addEventListener('state', (message) => {
    const data = JSON.parse(message.data);
    clockOffset = data.now - Date.now();
    rows.clear();
    for (const row of data.topics) rows.set(row.key, row);
    supervisor = data.supervisor;
    storedOmitted = data.storedOmitted ?? 0;
    renderList();
    if (selected) scheduleDetail(0);
  });
  source.addEventListener('rows', (message) => {
    const data = JSON.parse(message.data);
    clockOffset = data.now - Date.now();
    if (data.supervisor) supervisor = data.supervisor;
    for (const row of data.topics) rows.set(row.key, row);
    renderList();
    const touched =
      data.topics.some((row) => row.key === selected) || (data.supervisor && selected === 'supervisor');
    if (touched) scheduleDetail(250);
  });
}

function setConnection(status) {
  const node = $('connection');
  node.dataset.status = status;
  node.textContent = status === 'live' ? '● live' : 'reconnecting…';
}

function renderList() {
  const body = $('actors').tBodies[0];
  const trs = [];
  if (supervisor) trs.push(supervisorRow(supervisor));
  const topics = [...rows.values()].sort(
    (a, b) => Number(b.live) - Number(a.live) || rank(a.state) - rank(b.state) || a.key.localeCompare(b.key),
  );
  for (const row of topics) trs.push(topicRow(row));
  body.replaceChildren(...trs);
  $('empty').hidden = rows.size > 0;
  const running = topics.filter((row) => row.state === 'running').length;
  const omitted = storedOmitted > 0 ? ` · ${storedOmitted} more idle in the database` : '';
  $('summary').textContent =
    `${topics.length} topic${topics.length === 1 ? '' : 's'} · ${running} running${omitted}`;
  tick();
}

function rank(state) {
  return { running: 0, resuming: 1, 'awaiting-file': 2, idle: 3 }[state] ?? 4;
}

function supervisorRow(row) {
  const tr = el('tr', 'supervisor');
  tr.dataset.key = 'supervisor';
  const locks = Object.keys(row.locks);
  const waiting = Object.values(row.waiting).reduce(
    (n, list) => n + (Array.isArray(list) ? list.length : 0),
    0,
  );
  const parked = Object.keys(row.parked);
  tr.append(
    td('key', el('strong', null, 'supervisor')),
    td('state', stateBadge(row.live ? 'active' : row.state)),
    td(null, '—'),
    td(null, '—'),
    td(null, `${locks.length} session lock${locks.length === 1 ? '' : 's'}`),
    td(null, `${waiting} waiting`),
    td(
      null,
      `${row.alive} live topic${row.alive === 1 ? '' : 's'}${parked.length ? ` · ${parked.length} parked` : ''}`,
    ),
    td('last', eventList(row.lastEvents)),
  );
  selectable(tr, 'supervisor');
  return tr;
}

function topicRow(row) {
  const tr = el('tr', row.live ? 'topic' : 'topic stored');
  tr.dataset.key = row.key;
  tr.dataset.state = row.state;
  const key = td('key', el('span', 'mono', row.key));
  if (!row.live) key.append(el('span', 'tag', 'stored'));
  const state = td('state', stateBadge(row.state));
  if (row.statePath !== row.state) state.append(el('div', 'sub mono', row.statePath));
  const session = td('session mono', row.session ? short(row.session, 14) : '—');
  if (row.session) session.title = row.session;
  const queue = td('queue', String(row.queueLength));
  if (row.queue.length > 0) {
    const list = el('ul', 'mini');
    for (const job of row.queue) list.append(el('li', null, `${job.engine}: ${job.prompt}`));
    queue.append(list);
  }
  tr.append(
    key,
    state,
    td(null, row.binding ?? '—'),
    td(null, row.engine ?? '—'),
    session,
    queue,
    td('run', row.run ? runCell(row.run) : '—'),
    td('last', eventList(row.lastEvents)),
  );
  selectable(tr, row.key);
  return tr;
}

function runCell(run) {
  const box = el('div');
  const head = el('div');
  head.append(el('span', 'elapsed mono', ''), document.createTextNode(` · ${run.engine} · step ${run.step}`));
  head.firstChild.dataset.started = String(run.startedAt);
  if (run.pid) head.append(document.createTextNode(` · pid ${run.pid}`));
  if (run.cancelling) head.append(el('span', 'tag warn', 'cancelling'));
  if (!run.engineActor) head.append(el('span', 'tag', 'no engine actor'));
  box.append(head, el('div', 'sub', run.lastAction ?? run.prompt));
  return box;
}

function eventList(events) {
  const list = el('ul', 'mini');
  for (const event of events.slice(0, 3)) {
    const item = el('li');
    item.append(el('span', 'ago mono', ''), el('span', 'mono', ` ${event.type}`));
    item.firstChild.dataset.at = String(event.at);
    if (event.summary) item.append(el('span', 'sub', ` ${event.summary}`));
    list.append(item);
  }
  return list;
}

function selectable(tr, key) {
  if (key === selected) tr.classList.add('selected');
  tr.addEventListener('click', () => {
    selected = key;
    for (const other of document.querySelectorAll('#actors tr.selected')) other.classList.remove('selected');
    tr.classList.add('selected');
    scheduleDetail(0);
  });
}

function scheduleDetail(delay) {
  if (detailTimer) return;
  detailTimer = setTimeout(() => {
    detailTimer = null;
    loadDetail(selected);
  }, delay);
}

let chartKind = null;

async function loadDetail(key) {
  if (!key) return;
  const response = await fetch(`api/actor?key=${encodeURIComponent(key)}`);
  if (!response.ok || key !== selected) return;
  const detail = await response.json();
  clockOffset = detail.now - Date.now();
  const section = $('detail');
  section.hidden = false;
  section.dataset.key = key;
  $('detail-title').textContent = key;
  const row = detail.row;
  $('detail-sub').textContent =
    detail.kind === 'topic'
      ? `${row.statePath}${row.live ? '' : ' (stored snapshot)'} · ${row.runsCompleted ?? 0} runs completed`
      : `${row.alive} live topics`;
  const chart = $('chart');
  // Redrawing the same chart only moves the highlight; a new chart is laid out from scratch.
  if (chartKind !== detail.kind || !chart.firstChild) {
    renderChart(chart, detail.chart, detail.active);
    chartKind = detail.kind;
  } else {
    const active = new Set(detail.active);
    for (const box of chart.querySelectorAll('.sc-state')) {
      box.classList.toggle('active', active.has(box.dataset.stateId));
    }
    chart.redraw?.();
  }
  chart.dataset.active = detail.active.join(' ');
  renderEvents(detail.events);
  renderHistory(detail.history);
  $('context').textContent = JSON.stringify(detail.context, null, 2);
  tick();
}

function renderEvents(events) {
  const body = $('events').tBodies[0];
  body.replaceChildren(
    ...events.map((event) => {
      const tr = el('tr');
      const when = td('mono', clock(event.at));
      const what = td(null, event.summary || '');
      what.title = JSON.stringify(event.event, null, 2);
      tr.append(
        when,
        td('mono', event.type),
        td('sub', `${event.source ?? '—'} → ${event.target ?? 'self'}`),
        what,
      );
      return tr;
    }),
  );
}

function renderHistory(history) {
  const body = $('history').tBodies[0];
  if (history.length === 0) {
    const tr = el('tr');
    tr.append(td('sub', 'no transitions stored'));
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...history.map((t) => {
      const tr = el('tr');
      const before = el('details');
      before.append(el('summary', null, t.fromState), el('pre', null, JSON.stringify(t.snapshot, null, 2)));
      tr.append(
        td('mono', clock(t.at)),
        td('mono', t.eventType || '—'),
        td('mono', `${t.fromState} → ${t.toState}`),
        td(null, before),
      );
      return tr;
    }),
  );
}

/** Elapsed times and ages follow the clock between pushes. */
function tick() {
  const now = Date.now() + clockOffset;
  for (const node of document.querySelectorAll('.elapsed[data-started]')) {
    node.textContent = duration(now - Number(node.dataset.started));
  }
  for (const node of document.querySelectorAll('.ago[data-at]')) {
    node.textContent = `${duration(now - Number(node.dataset.at))} ago`;
  }
}

function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function clock(at) {
  return new Date(at).toLocaleTimeString([], { hour12: false });
}

function stateBadge(state) {
  const badge = el('span', `badge state-${state}`, state);
  badge.dataset.role = 'state';
  return badge;
}

function short(text, max) {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function td(className, content) {
  const cell = el('td', className);
  if (content instanceof Node) cell.append(content);
  else if (content !== undefined) cell.textContent = content;
  return cell;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

setInterval(tick, 1000);
window.addEventListener('resize', () => $('chart').redraw?.());
connect();
