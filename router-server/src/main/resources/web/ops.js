/*
 * Contact Router supervisor view. Plain JavaScript, no dependencies, no build step.
 *
 * Every 2 seconds: GET /api/ops/floor (queues, agents, open contacts), /api/queues/stats (today), /api/ops/decisions
 * (the last 100, with their explanations) and /api/config (the version in force, recent reloads).
 */
(() => {
  'use strict';

  const POLL_MS = 2000;
  const CHANNELS = { voice: 'Call', sms: 'SMS', whatsapp: 'WhatsApp', email: 'Email', chat: 'Chat' };
  const $ = (id) => document.getElementById(id);

  const h = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) {
        return;
      }
      if (k === 'text') {
        node.textContent = v;
      } else {
        node.setAttribute(k, v);
      }
    });
    children.flat().forEach((c) => {
      if (c !== null && c !== undefined && c !== false) {
        node.append(c);
      }
    });
    return node;
  };

  const duration = (seconds) => {
    if (seconds === null || seconds === undefined) {
      return '–';
    }
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) {
      return s + ' s';
    }
    if (s < 3600) {
      return Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s';
    }
    return Math.floor(s / 3600) + ' h ' + String(Math.floor((s % 3600) / 60)).padStart(2, '0') + ' min';
  };

  /** ISO 8601 durations as the API writes them (PT1M28.446S) to seconds. */
  const isoSeconds = (iso) => {
    const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(iso || '');
    return m ? (Number(m[1] || 0) * 3600) + (Number(m[2] || 0) * 60) + Number(m[3] || 0) : null;
  };

  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit',
    second: '2-digit' }) : '');

  const cells = (row, values) => {
    row.replaceChildren(...values.map((v, i) => (i === 0 ? h('th', { scope: 'row' }, v) : h('td', {}, v))));
    return row;
  };

  const fill = (table, rows, empty, columns) => {
    const body = table.tBodies[0];
    if (!rows.length) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: String(columns), class: 'empty', text: empty })));
      return;
    }
    body.replaceChildren(...rows.map((values) => cells(h('tr'), values)));
  };

  /** The sign-in of this tab (made on /agent); a supervisor's token opens the floor and the reports. */
  const token = (() => {
    try {
      const login = JSON.parse(sessionStorage.getItem('contact-router-agent'));
      return login && login.token && (!login.expiresAt || new Date(login.expiresAt) > new Date()) ? login.token : null;
    } catch (e) {
      return null;
    }
  })();
  const signIn = () => location.replace('/agent?next=/ops');

  const getJson = async (path) => {
    if (!token) {
      signIn();
      throw new Error('sign in as a supervisor first');
    }
    const r = await fetch(path, { headers: { Accept: 'application/json', Authorization: 'Bearer ' + token },
      cache: 'no-store' });
    if (r.status === 401) {
      signIn();
    }
    if (!r.ok) {
      let message = 'HTTP ' + r.status;
      try {
        message = (await r.json()).error || message;
      } catch (e) { /* not JSON */ }
      throw new Error(path + ': ' + message);
    }
    return r.json();
  };

  const names = new Map();

  const render = (floor, stats, decisions, config) => {
    floor.agents.forEach((a) => names.set(a.agent, a.name || a.agent));
    const name = (id) => (id ? names.get(id) || id : '');

    $('config-version').textContent = config.version;
    const last = (config.recentReloads || [])[0];
    const reload = $('config-reload');
    reload.textContent = last ? last : 'none since start';
    reload.className = last && / rejected: /.test(last) ? 'bad' : '';

    const byQueue = new Map(stats.map((s) => [s.queueId, s]));
    const queueIds = new Set(floor.queues.map((q) => q.queue));
    stats.forEach((s) => queueIds.add(s.queueId));
    const floorQueue = new Map(floor.queues.map((q) => [q.queue, q]));
    fill($('queues'), Array.from(queueIds).sort().map((id) => {
      const q = floorQueue.get(id) || {};
      const s = byQueue.get(id) || { contacts: 0, answered: 0, abandoned: 0, slaBreaches: 0 };
      const estimates = Object.entries(q.estimatedWaitSeconds || {})
          .map(([ch, w]) => (CHANNELS[ch] || ch) + ' ' + duration(w)).join(', ');
      const attainment = s.contacts ? Math.round(((s.contacts - s.slaBreaches) / s.contacts) * 100) + ' %' : '–';
      const oldest = q.waiting ? duration(q.oldestWaitSeconds) : '–';
      return [q.name && q.name !== id ? q.name + ' (' + id + ')' : id, String(q.waiting ?? 0), oldest, estimates || '–',
        String(s.contacts), String(s.answered), String(s.abandoned), duration(isoSeconds(s.averageWaitToAnswer)),
        h('span', { class: s.slaBreaches ? 'bad' : '', text: attainment + (s.slaBreaches ? ' (' + s.slaBreaches
            + ' breached)' : '') })];
    }), 'No queues.', 9);

    const agents = new Map();
    floor.agents.forEach((a) => agents.set(a.agent, a));
    fill($('agents'), Array.from(agents.values()).sort((a, b) => (a.name || a.agent).localeCompare(b.name || b.agent))
        .map((a) => {
          const load = Object.entries(a.load || {}).filter(([, n]) => n > 0)
              .map(([ch, n]) => (CHANNELS[ch] || ch) + ' ' + n).join(', ');
          return [(a.name || a.agent) + ' (' + a.agent + ')',
            h('span', { class: 'presence presence-' + a.presence, text: a.presence }), load || 'none',
            String(a.handled ?? 0)];
        }), 'No agents.', 4);

    fill($('contacts'), floor.contacts.map((c) => [c.contactId, CHANNELS[c.channel] || c.channel, c.customerKey,
      c.queue || '', c.status, c.owner ? name(c.owner) : (c.offeredTo ? 'offered to ' + name(c.offeredTo) : ''),
      String(c.transfers || 0)]), 'No open contacts.', 7);

    fill($('decisions'), decisions.slice(0, 50).map((d) => {
      const e = d.explanation || {};
      const parts = [];
      if (e.reason) {
        parts.push(e.reason);
      }
      const where = [e.rule ? 'rule ' + e.rule : null, e.queue ? 'queue ' + e.queue : null,
        e.strategy ? 'strategy ' + e.strategy : null].filter(Boolean).join(', ');
      if (where) {
        parts.push(where);
      }
      if (e.candidates && e.candidates.length) {
        parts.push('candidates: ' + e.candidates.map((c) => name(c.agentId) + ' ' + c.verdict).join(', '));
      }
      if (d.type === 'refused' && d.text) {
        parts.push(d.text);
      }
      return [time(d.decidedAt), d.type + (d.reason ? ' (' + d.reason + ')' : ''), d.contactId || '',
        name(d.agentId), parts.join(' · ')];
    }), 'No decisions yet.', 5);
  };

  let timer = null;

  const poll = async () => {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    try {
      const [floor, stats, decisions, config] = await Promise.all([
        getJson('/api/ops/floor'),
        getJson('/api/queues/stats?since=' + encodeURIComponent(midnight.toISOString())),
        getJson('/api/ops/decisions'),
        getJson('/api/config')]);
      render(floor, stats, decisions, config);
      $('updated').textContent = time(new Date().toISOString());
      $('status').textContent = '';
      $('status').className = 'status';
    } catch (e) {
      $('status').textContent = 'Not up to date: ' + e.message;
      $('status').className = 'status bad';
    } finally {
      timer = setTimeout(poll, POLL_MS);
    }
  };

  document.addEventListener('DOMContentLoaded', poll);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) {
      clearTimeout(timer);
      poll();
    }
  });
})();
