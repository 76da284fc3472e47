// opskit console: plain JavaScript, no framework, nothing loaded from the network.
// Every value from the server is put into the page with textContent, never as HTML.
(function () {
  'use strict';
  const base = document.body.dataset.base;
  const api = base + '/api';
  const $ = (id) => document.getElementById(id);
  let config = { readOnly: true, tokenHeader: 'X-Opskit-Token', operatorHeader: 'X-Opskit-Operator' };
  let jobBefore = null;
  let letterAfter = null;
  let watchedRun = null;

  // The token lives in this tab's sessionStorage only: it is sent as a header, never as a cookie.
  const creds = () => ({ token: sessionStorage.getItem('opskit.token') || '', operator: sessionStorage.getItem('opskit.operator') || '' });

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null) continue;
      if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
    return e;
  }

  function flash(text, isError) {
    const f = $('flash');
    f.textContent = text;
    f.className = isError ? 'error' : '';
    f.hidden = false;
  }

  async function get(path, params) {
    const q = params ? '?' + new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null)) : '';
    const r = await fetch(api + path + q, { headers: { Accept: 'application/json' } });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  async function post(path, params) {
    const c = creds();
    const headers = { Accept: 'application/json' };
    headers[config.tokenHeader] = c.token;
    if (c.operator) headers[config.operatorHeader] = c.operator;
    const q = params ? '?' + new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null)) : '';
    const r = await fetch(api + path + q, { method: 'POST', headers });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  const when = (iso) => iso ? new Date(iso).toLocaleString() : '';
  function age(seconds) {
    if (seconds == null) return '';
    if (seconds < 120) return seconds.toFixed(1) + ' s';
    if (seconds < 7200) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + ' h';
    return (seconds / 86400).toFixed(1) + ' d';
  }

  // --- queues ---
  async function loadSummary() {
    try {
      const s = await get('/summary');
      $('summary-asof').textContent = 'as of ' + when(s.asOf) + (s.refreshError ? ' (refresh failed: ' + s.refreshError + ')' : '');
      const tb = $('queue-table').tBodies[0];
      tb.replaceChildren(...s.queues.map((q) => el('tr', { 'data-queue': q.queue },
        el('td', {}, q.queue), el('td', { class: 'num' }, q.available), el('td', { class: 'num' }, q.scheduled),
        el('td', { class: 'num' }, q.running), el('td', { class: 'num' }, q.completed), el('td', { class: 'num' }, q.cancelled),
        el('td', { class: 'num' + (q.dead ? ' bad' : '') }, q.dead), el('td', { class: 'num' }, age(q.oldestWaitingSeconds)))));
      if (!s.queues.length) tb.append(el('tr', {}, el('td', { colspan: '8' }, 'no jobs')));
      const st = $('source-table').tBodies[0];
      st.replaceChildren(...s.deadLetters.map((d) => el('tr', {}, el('td', {}, d.source), el('td', { class: 'num' + (d.waiting ? ' bad' : '') }, d.waiting),
        el('td', { class: 'num' }, d.replayed), el('td', {}, when(d.oldestWaitingDiedAt)))));
      chart(s.throughput);
    } catch (e) {
      $('summary-asof').textContent = 'unavailable: ' + e.message;
    }
  }

  function chart(minutes) {
    const svg = $('throughput-chart');
    const ns = 'http://www.w3.org/2000/svg';
    const w = 600, h = 120, pad = 18;
    const max = Math.max(1, ...minutes.map((m) => m.completed + m.dead + m.cancelled));
    const bw = (w - pad) / Math.max(1, minutes.length);
    const parts = [];
    minutes.forEach((m, i) => {
      let y = h - pad;
      for (const kind of ['completed', 'cancelled', 'dead']) {
        const bh = (m[kind] / max) * (h - 2 * pad);
        if (bh <= 0) continue;
        y -= bh;
        const r = document.createElementNS(ns, 'rect');
        r.setAttribute('x', String(pad + i * bw + 1));
        r.setAttribute('y', String(y));
        r.setAttribute('width', String(Math.max(1, bw - 2)));
        r.setAttribute('height', String(bh));
        r.setAttribute('class', kind);
        const t = document.createElementNS(ns, 'title');
        t.textContent = new Date(m.minute).toLocaleTimeString() + ': ' + m.completed + ' completed, ' + m.dead + ' dead, ' + m.cancelled + ' cancelled';
        r.append(t);
        parts.push(r);
      }
    });
    const label = document.createElementNS(ns, 'text');
    label.setAttribute('x', '2');
    label.setAttribute('y', '12');
    label.textContent = 'max ' + max + '/min';
    parts.push(label);
    svg.replaceChildren(...parts);
  }

  // --- jobs ---
  async function searchJobs(more) {
    if (!more) jobBefore = null;
    try {
      const r = await get('/jobs', { queue: $('job-queue').value.trim(), kind: $('job-kind').value.trim(), state: $('job-state').value,
        id: $('job-id').value.trim(), before: more ? jobBefore : '' });
      const tb = $('job-table').tBodies[0];
      const rows = r.jobs.map((j) => el('tr', { class: 'clickable', 'data-id': j.id, onclick: () => showJob(j.id) },
        el('td', {}, j.id), el('td', {}, j.queue), el('td', {}, j.kind), el('td', { class: 'state-' + j.state }, j.state),
        el('td', { class: 'num' }, j.attempt + '/' + j.maxAttempts), el('td', {}, when(j.runAt)), el('td', {}, j.lastError || '')));
      if (more) tb.append(...rows); else tb.replaceChildren(...rows);
      if (!more && !rows.length) tb.append(el('tr', {}, el('td', { colspan: '7' }, 'no job matches')));
      jobBefore = r.nextBefore;
      $('job-more').hidden = r.nextBefore == null;
    } catch (e) {
      flash(e.message, true);
    }
  }

  function dl(pairs) {
    const d = el('dl');
    for (const [k, v] of pairs) if (v !== null && v !== undefined && v !== '') d.append(el('dt', {}, k), el('dd', {}, v));
    return d;
  }

  async function showJob(id) {
    try {
      const j = await get('/job', { id });
      const box = $('job-detail');
      const children = [el('h3', {}, 'job ' + j.id + ' (' + j.kind + ')'),
        dl([['queue', j.queue], ['state', j.state], ['attempt', j.attempt + ' of ' + j.maxAttempts], ['priority', j.priority],
          ['run at', when(j.runAt)], ['created', when(j.createdAt)], ['worker', j.workerId], ['attempt started', when(j.attemptedAt)],
          ['lease expires', when(j.leaseExpiresAt)], ['finished', when(j.finishedAt)], ['unique key', j.uniqueKey], ['replays letter', j.replayOf]]),
        el('h4', {}, 'errors (' + j.errors.length + ')')];
      for (const e of j.errors) children.push(el('pre', {}, '#' + e.attempt + ' ' + when(e.at) + ' ' + (e.type || '') + (e.reason ? ' [' + e.reason + ']' : '') + '\n' + (e.message || '')));
      children.push(el('h4', {}, 'payload'), el('pre', {}, JSON.stringify(j.payload, null, 2)));
      if (j.cancellable) {
        children.push(el('button', { class: 'action', id: 'job-cancel', type: 'button', onclick: async () => {
          try {
            const r = await post('/job/cancel', { id: j.id });
            flash(r.result === 'cancelled' ? 'job ' + j.id + ' cancelled' : r.detail, !r.cancelled);
            showJob(j.id); searchJobs(false); loadSummary();
          } catch (e) { flash(e.message, true); }
        } }, j.state === 'running' ? 'ask its worker to stop this job' : 'cancel this job'));
      }
      if (j.deadLetter != null) {
        // a dead job is retried by replaying the dead letter it became
        children.push(el('p', {}, 'This job is in the dead letters as ',
          el('button', { type: 'button', onclick: () => showLetter(j.deadLetter) }, 'letter ' + j.deadLetter), ' ',
          el('button', { type: 'button', class: 'action', id: 'job-retry', onclick: () => replay([j.deadLetter]) }, 'retry: replay it')));
      }
      box.replaceChildren(...children);
      box.hidden = false;
      showMode();
    } catch (e) {
      flash(e.message, true);
    }
  }

  // --- dead letters ---
  const letterFilter = () => ({ source: $('letter-source').value.trim(), kind: $('letter-kind').value.trim(), reason: $('letter-reason').value, status: $('letter-status').value });

  async function loadLetters(more) {
    if (!more) letterAfter = null;
    try {
      const r = await get('/deadletters', Object.assign(letterFilter(), { after: more ? letterAfter : '' }));
      $('letter-total').textContent = r.total + ' matching';
      const tb = $('letter-table').tBodies[0];
      const rows = r.letters.map((l) => el('tr', { 'data-id': l.id },
        el('td', {}, el('input', { type: 'checkbox', class: 'pick', value: l.id, 'aria-label': 'select ' + l.id })),
        el('td', { class: 'clickable', onclick: () => showLetter(l.id) }, l.id), el('td', {}, l.source), el('td', {}, l.kind),
        el('td', {}, l.reason), el('td', {}, when(l.diedAt)), el('td', { class: 'num' }, l.attempts),
        el('td', {}, (l.errorType ? l.errorType.replace(/^.*\./, '') + ': ' : '') + (l.message || '') + (l.lastReplayError ? ' (last replay: ' + l.lastReplayError + ')' : '')),
        el('td', {}, l.status === 'dead' ? el('button', { type: 'button', class: 'action replay', disabled: l.hasTarget ? null : 'disabled',
          title: l.hasTarget ? 'replay this letter' : 'no replay target for this source', onclick: () => replay([l.id]) }, 'replay') : l.status)));
      if (more) tb.append(...rows); else tb.replaceChildren(...rows);
      if (!more && !rows.length) tb.append(el('tr', {}, el('td', { colspan: '9' }, 'no dead letter matches')));
      letterAfter = r.nextAfter;
      $('letter-more').hidden = r.nextAfter == null;
      $('letter-all').checked = false;
      showMode();
    } catch (e) {
      flash(e.message, true);
    }
  }

  async function showLetter(id) {
    try {
      const l = await get('/deadletter', { id });
      const box = $('letter-detail');
      const children = [el('h3', {}, 'dead letter ' + l.id + ' (' + l.source + ', ' + l.kind + ')'),
        dl([['status', l.status], ['reason', l.reason + (l.reasonDetail ? ': ' + l.reasonDetail : '')], ['attempts', l.attempts],
          ['first failed', when(l.firstFailedAt)], ['last failed', when(l.lastFailedAt)], ['died', when(l.diedAt)],
          ['error', (l.errorType || '') + (l.causeType && l.causeType !== l.errorType ? ' (cause ' + l.causeType + ')' : '')],
          ['message', l.message], ['idempotency key', l.idempotencyKey], ['replay of', l.replayOf], ['replayed', l.replayCount + ' time(s)'],
          ['last replay', when(l.lastReplayedAt)], ['last replay result', l.lastReplayRef], ['last replay error', l.lastReplayError],
          ['replay target', l.hasTarget ? 'yes' : 'none registered']])];
      if (Object.keys(l.headers).length) children.push(el('h4', {}, 'headers'), el('pre', {}, JSON.stringify(l.headers, null, 2)));
      if (l.errorHistory.length) children.push(el('h4', {}, 'error history'), el('pre', {}, JSON.stringify(l.errorHistory, null, 2)));
      if (l.stackTrace) children.push(el('h4', {}, 'stack trace'), el('pre', {}, l.stackTrace));
      children.push(el('h4', {}, 'payload'), el('pre', {}, JSON.stringify(l.payload, null, 2)));
      box.replaceChildren(...children);
      box.hidden = false;
    } catch (e) {
      flash(e.message, true);
    }
  }

  async function replay(ids) {
    if (!ids.length) { flash('select letters first', true); return; }
    try {
      const r = await post('/deadletters/replay', { id: ids.join(',') });
      const ok = r.results.filter((x) => x.replayed).length;
      const bad = r.results.filter((x) => !x.replayed).map((x) => x.id + ': ' + x.outcome + (x.detail ? ' (' + x.detail + ')' : ''));
      flash(ok + ' replayed' + (bad.length ? '; not replayed: ' + bad.join('; ') : ''), bad.length > 0);
      loadLetters(false); loadSummary();
    } catch (e) {
      flash(e.message, true);
    }
  }

  async function replayAll() {
    const dry = $('replay-all-dry').checked;
    if (!dry && !confirm('Replay every waiting letter matching the filter?')) return;
    try {
      const f = letterFilter();
      if (f.status !== 'dead') { flash('replay-all replays waiting letters: set the status filter to "waiting"', true); return; }
      const r = await post('/deadletters/replay-all/start', { source: f.source, kind: f.kind, reason: f.reason, dryRun: dry, rate: $('replay-all-rate').value.trim() });
      showProgress(r);
      if (!dry) { watchedRun = r.run; pollRun(); }
    } catch (e) {
      flash(e.message, true);
    }
  }

  function showProgress(r) {
    $('replay-progress').textContent = (r.dryRun ? 'dry run: ' : 'run ' + r.run + ': ') + r.state + ', ' + r.done + ' of ' + r.total
      + (r.dryRun ? ' have a target' : ' replayed') + ', ' + r.failed + ' failed, ' + r.skipped + ' skipped, ' + r.toDo + ' to do' + (r.error ? ' (' + r.error + ')' : '');
  }

  async function pollRun() {
    if (watchedRun == null) return;
    try {
      const r = await get('/deadletters/replay-all', { run: watchedRun });
      showProgress(r);
      if (r.state === 'running') { setTimeout(pollRun, 1000); return; }
      watchedRun = null;
      loadLetters(false); loadSummary();
    } catch (e) {
      flash(e.message, true);
    }
  }

  async function cleanup() {
    if (!confirm('Delete every replayed dead letter?')) return;
    try {
      const r = await post('/deadletters/cleanup', {});
      flash(r.removed + ' replayed letter(s) removed', false);
      loadLetters(false); loadSummary();
    } catch (e) {
      flash(e.message, true);
    }
  }

  function showMode() {
    const m = $('mode');
    if (config.readOnly) { m.textContent = 'read-only'; m.className = 'badge readonly'; m.title = 'no action token is configured on the server'; }
    else if (!creds().token) { m.textContent = 'enter a token for actions'; m.className = 'badge'; }
    else { m.textContent = 'actions as ' + (creds().operator || 'token holder'); m.className = 'badge actions'; }
    for (const b of document.querySelectorAll('button.action')) b.disabled = config.readOnly || (b.classList.contains('replay') && b.title.startsWith('no replay'));
  }

  async function start() {
    try { config = await get('/config'); } catch (e) { flash(e.message, true); }
    for (const s of config.states || []) $('job-state').append(el('option', { value: s }, s));
    for (const r of config.reasons || []) $('letter-reason').append(el('option', { value: r }, r));
    $('operator').value = creds().operator;
    $('token').value = creds().token;
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      sessionStorage.setItem('opskit.token', $('token').value.trim());
      sessionStorage.setItem('opskit.operator', $('operator').value.trim());
      showMode();
    });
    $('job-search').addEventListener('submit', (e) => { e.preventDefault(); searchJobs(false); });
    $('job-more').addEventListener('click', () => searchJobs(true));
    $('letter-filter').addEventListener('submit', (e) => { e.preventDefault(); loadLetters(false); });
    $('letter-more').addEventListener('click', () => loadLetters(true));
    $('letter-all').addEventListener('change', (e) => { for (const c of document.querySelectorAll('#letter-table input.pick')) c.checked = e.target.checked; });
    $('replay-selected').addEventListener('click', () => replay([...document.querySelectorAll('#letter-table input.pick:checked')].map((c) => c.value)));
    $('replay-all').addEventListener('click', replayAll);
    $('cleanup').addEventListener('click', cleanup);
    showMode();
    await Promise.all([loadSummary(), searchJobs(false), loadLetters(false)]);
    showMode();
    // a hidden tab does not poll: at a million jobs each refresh is a pass over the jobs table
    setInterval(() => { if (!document.hidden) loadSummary(); }, 5000);
  }

  start();
}());
