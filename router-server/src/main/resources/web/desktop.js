/*
 * Contact Router agent desktop. Plain JavaScript, no dependencies, no build step.
 *
 * Reads:  POST /api/agent/login, GET /api/agent/me, the live feed /agent/ws?token=..., the ledger
 *         (/api/contacts/{id}, /api/customers/{key}/contacts, /api/agents/{id}/contacts) and /api/agent/team
 *         (agent names and queues, for transfers and history).
 * Writes: POST /api/agent/presence, offers/{id}/accept|reject, contacts/{id}/reply|notes|transfer|wrap-up.
 *
 * Every action is answered by the router (200 applied, 409 refused with the reason, 202 not decided yet, 400 invalid);
 * the page shows each answer next to the control that caused it. Nothing fails silently.
 */
(() => {
  'use strict';

  const STORE = 'contact-router-agent';
  const CHANNELS = { voice: 'Call', sms: 'SMS', whatsapp: 'WhatsApp', email: 'Email', chat: 'Chat' };
  const REPLY_VERB = { sms: 'Reply by SMS', whatsapp: 'Reply on WhatsApp', email: 'Reply by email', chat: 'Reply in the chat' };

  // ------------------------------------------------------------------ small helpers

  const $ = (id) => document.getElementById(id);

  /** An element with attributes ('text' sets textContent, 'on<event>' a listener) and children; never innerHTML. */
  const h = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) {
        return;
      }
      if (k === 'text') {
        node.textContent = v;
      } else if (k.startsWith('on') && typeof v === 'function') {
        node.addEventListener(k.slice(2), v);
      } else if (k === 'hidden') {
        node.hidden = true;
      } else if (v === true) {
        node.setAttribute(k, '');
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

  let idCounter = 0;
  const uid = (prefix) => prefix + '-' + (++idCounter);
  const newKey = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID()
      : Date.now().toString(36) + '-' + Math.random().toString(36).slice(2));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  const channelName = (c) => CHANNELS[c] || c || '?';

  const duration = (seconds) => {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) {
      return s + ' s';
    }
    if (s < 3600) {
      return Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s';
    }
    return Math.floor(s / 3600) + ' h ' + String(Math.floor((s % 3600) / 60)).padStart(2, '0') + ' min';
  };

  const when = (iso) => {
    if (!iso) {
      return '';
    }
    const d = new Date(iso);
    const today = new Date();
    const sameDay = d.toDateString() === today.toDateString();
    return sameDay ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
        : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  };

  /** A person-readable form of a customer identity: 'tel:+49…' is '+49…', 'mailto:x' is 'x', 'chat:s-…' a chat visitor. */
  const identityText = (key) => {
    if (!key) {
      return '';
    }
    if (key.startsWith('tel:')) {
      return key.slice(4);
    }
    if (key.startsWith('mailto:')) {
      return key.slice(7);
    }
    if (key.startsWith('chat:')) {
      return 'chat visitor ' + key.slice(5, 15) + (key.length > 15 ? '…' : '');
    }
    return key;
  };

  // ------------------------------------------------------------------ state

  const state = {
    token: null,
    agentId: null,
    expiresAt: null,
    socket: null,
    attempts: 0,
    reconnectTimer: null,
    expiryTimer: null,
    everWelcomed: false,
    presence: null,
    agents: new Map(),          // id -> {name, presence}
    queues: [],                 // [{id, name}]
    offers: new Map(),          // offerId -> offer
    conversations: new Map(),   // contactId -> conversation
    followUpNotes: new Map(),   // contactId -> note, from follow-up-due
    pendingEvents: new Map(),   // eventId (answered 202) -> where to show the outcome
    meTimer: null,
    floorTimer: null,
  };

  const agentName = (id) => (id && state.agents.has(id) ? state.agents.get(id).name : id) || 'an agent';

  // ------------------------------------------------------------------ HTTP

  class ApiError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  /** A JSON request; resolves to {status, body}. 401 signs the agent out. Throws ApiError on network failure. */
  const request = async (method, path, body, extraHeaders) => {
    const headers = Object.assign({ Accept: 'application/json' }, extraHeaders || {});
    if (state.token) {
      headers.Authorization = 'Bearer ' + state.token;
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, 'The server cannot be reached (' + e.message + '). Check the connection and try again.');
    }
    let json = null;
    const text = await response.text();
    try {
      json = text ? JSON.parse(text) : null;
    } catch (e) {
      json = null;
    }
    if (response.status === 401 && path !== '/api/agent/login' && state.token) {
      signOut('Your sign-in has expired or is no longer valid. Please sign in again.');
    }
    return { status: response.status, body: json };
  };

  const getJson = async (path) => {
    const r = await request('GET', path);
    return r.status === 200 ? r.body : null;
  };

  /** The ledger's contact; the ledger lags the feed by up to a second, so it is asked again until it fits. */
  const ledgerContact = async (contactId, fits, patienceMs) => {
    const deadline = Date.now() + (patienceMs || 10000);
    let last = null;
    while (Date.now() < deadline) {
      try {
        last = await getJson('/api/contacts/' + encodeURIComponent(contactId));
      } catch (e) {
        last = null;
      }
      if (last && (!fits || fits(last))) {
        return last;
      }
      if (!state.token) {
        return last;
      }
      await sleep(400);
    }
    return last;
  };

  /**
   * Performs an agent action and shows its outcome in {@code errorBox}. Resolves to the decisions when the router
   * applied it, or null (the reason is shown).
   */
  const act = async (path, body, errorBox, what) => {
    errorBox.textContent = '';
    errorBox.classList.remove('info');
    let r;
    try {
      r = await request('POST', path, body === undefined ? {} : body, { 'Idempotency-Key': newKey() });
    } catch (e) {
      showError(errorBox, what + ' failed: ' + e.message);
      return null;
    }
    const b = r.body || {};
    if (r.status === 200) {
      (b.decisions || []).forEach(handleDecision);
      return b.decisions || [];
    }
    if (r.status === 202) {
      state.pendingEvents.set(b.eventId, { box: errorBox, what });
      showInfo(errorBox, what + ': stored, but the router has not decided yet. The outcome will show here.');
      return null;
    }
    if (r.status === 409) {
      showError(errorBox, what + ' was refused: ' + (b.error || b.reason || 'the router refused it') + '.');
      return null;
    }
    if (r.status === 401) {
      return null; // signed out, with the message on the sign-in form
    }
    showError(errorBox, what + ' failed: ' + (b.error || ('HTTP ' + r.status)) + '.');
    return null;
  };

  const showError = (box, message) => {
    box.classList.remove('info');
    box.textContent = message;
  };

  const showInfo = (box, message) => {
    box.classList.add('info');
    box.textContent = message;
  };

  /** A notice at the top of the desk: for things that have no control of their own (an offer withdrawn...). */
  const notice = (message, kind) => {
    const close = h('button', { type: 'button', class: 'quiet', 'aria-label': 'Dismiss: ' + message, text: '×' });
    const item = h('p', { class: 'notice ' + (kind || 'info') }, h('span', { text: message }), close);
    close.addEventListener('click', () => item.remove());
    $('notices').prepend(item);
    while ($('notices').children.length > 5) {
      $('notices').lastElementChild.remove();
    }
  };

  // ------------------------------------------------------------------ sign-in and out

  const saved = () => {
    try {
      return JSON.parse(sessionStorage.getItem(STORE)) || null;
    } catch (e) {
      return null;
    }
  };

  const signIn = async (event) => {
    event.preventDefault();
    const agentId = $('signin-agent').value.trim();
    const password = $('signin-password').value;
    const message = $('signin-message');
    if (!agentId || !password) {
      message.textContent = 'Enter your agent id and your password.';
      (agentId ? $('signin-password') : $('signin-agent')).focus();
      return;
    }
    message.textContent = '';
    const button = event.target.querySelector('button');
    button.disabled = true;
    try {
      const r = await request('POST', '/api/agent/login', { agentId, password });
      if (r.status !== 200) {
        message.textContent = 'Sign-in failed: ' + ((r.body && r.body.error) || 'HTTP ' + r.status) + '.';
        $('signin-password').select();
        return;
      }
      try {
        sessionStorage.setItem(STORE, JSON.stringify(r.body));
      } catch (e) { /* storage disabled: this tab only */ }
      $('signin-password').value = '';
      const next = new URLSearchParams(location.search).get('next');
      if (next === '/ops' && r.body.supervisor) {
        location.replace('/ops'); // the supervisor view reads the same sign-in from this tab's storage
        return;
      }
      start(r.body);
    } catch (e) {
      message.textContent = 'Sign-in failed: ' + e.message;
    } finally {
      button.disabled = false;
    }
  };

  const signOut = (message) => {
    try {
      sessionStorage.removeItem(STORE);
    } catch (e) { /* nothing stored */ }
    state.token = null;
    clearTimeout(state.reconnectTimer);
    clearTimeout(state.expiryTimer);
    clearTimeout(state.meTimer);
    clearInterval(state.floorTimer);
    if (state.socket) {
      const s = state.socket;
      state.socket = null;
      s.close(1000, 'signed out');
    }
    state.offers.forEach((o) => clearInterval(o.timer));
    state.offers.clear();
    state.conversations.clear();
    $('offers').replaceChildren();
    $('conversations').replaceChildren();
    $('notices').replaceChildren();
    $('desk').hidden = true;
    $('signin').hidden = false;
    $('signin-message').textContent = message || '';
    document.title = 'Agent desktop · Contact Router';
    $('signin-agent').focus();
  };

  const start = (login) => {
    state.token = login.token;
    state.agentId = login.agentId;
    state.expiresAt = login.expiresAt ? new Date(login.expiresAt) : null;
    state.everWelcomed = false;
    state.attempts = 0;
    $('signin').hidden = true;
    $('desk').hidden = false;
    $('agent-name').textContent = login.agentId;
    if (state.expiresAt) {
      const left = state.expiresAt.getTime() - Date.now();
      state.expiryTimer = setTimeout(() => signOut('Your sign-in has expired after 12 hours. Please sign in again.'),
          Math.min(Math.max(left, 0), 2147483647));
    }
    loadFloor().then(loadMe);
    loadStats();
    connect();
    clearInterval(state.floorTimer);
    state.floorTimer = setInterval(() => {
      if (state.token) {
        loadFloor(); // names, presences and queues for transfers
      }
    }, 15000);
  };

  // ------------------------------------------------------------------ the agent's state: /api/agent/me

  const loadFloor = async () => {
    try {
      const floor = await getJson('/api/agent/team');
      if (!floor) {
        return;
      }
      floor.agents.forEach((a) => state.agents.set(a.agent, { name: a.name || a.agent, presence: a.presence }));
      const queues = new Map();
      floor.queues.forEach((q) => queues.set(q.queue, { id: q.queue, name: q.name || q.queue }));
      state.queues = Array.from(queues.values());
      const me = state.agents.get(state.agentId);
      if (me) {
        $('agent-name').textContent = me.name;
        document.title = me.name + ' · Agent desktop';
      }
      state.conversations.forEach(fillTransferTargets);
    } catch (e) {
      /* names fall back to ids */
    }
  };

  /** Loads the agent's state on start and after a reconnect: presence, load, open offers, own contacts. */
  const loadMe = async () => {
    let me;
    try {
      me = await getJson('/api/agent/me');
    } catch (e) {
      $('connection').textContent = e.message;
      return;
    }
    if (!me || !state.token) {
      return;
    }
    showAgent(me.agent);
    const at = new Date(me.at).getTime();
    const stillMine = new Set();
    (me.contacts || []).forEach((c) => {
      if (c.owner === state.agentId) {
        stillMine.add(c.contactId);
        dropOffer(null, c.contactId, null); // the router is a little ahead of the feed: accepted already
        if (!state.conversations.has(c.contactId)) {
          openConversation(c.contactId, { status: c.status, channel: c.channel });
        } else {
          state.conversations.get(c.contactId).setStatus(c.status);
        }
      } else if (c.offeredTo === state.agentId && c.offerId && !state.offers.has(c.offerId)) {
        addOffer({ offerId: c.offerId, contactId: c.contactId, channel: c.channel, queueId: c.queue,
          dueAt: c.offerExpiresAt, type: 'offered' });
      }
    });
    // Conversations the router no longer gives the agent (decided while the feed was down) go, once the floor is
    // clearly newer than the conversation.
    state.conversations.forEach((conv, id) => {
      if (!stillMine.has(id) && at > conv.addedAt + 5000) {
        conv.remove();
        notice('The conversation with ' + conv.customerName() + ' is no longer yours (it was closed or moved).');
      }
    });
  };

  /** The router's floor is taken about once a second: ask shortly after a change, and once more a bit later. */
  const scheduleMe = () => {
    clearTimeout(state.meTimer);
    state.meTimer = setTimeout(() => {
      loadMe();
      state.meTimer = setTimeout(loadMe, 2500);
    }, 1200);
  };

  const showAgent = (agent) => {
    const presence = agent ? agent.presence : 'offline';
    state.presence = presence;
    document.querySelectorAll('#presence input').forEach((i) => {
      i.checked = i.value === presence;
    });
    $('presence-now').textContent = 'Router: ' + presence;
    const load = agent && agent.load ? Object.entries(agent.load) : [];
    $('load').textContent = load.length ? load.map(([ch, n]) => channelName(ch) + ' ' + n).join(' · ') : 'none';
  };

  const setPresence = async (event) => {
    const value = event.target.value;
    const box = $('presence-now');
    const decisions = await act('/api/agent/presence', { presence: value }, box, 'Presence ' + value);
    if (decisions) {
      box.textContent = 'Router: ' + value;
      scheduleMe();
    } else {
      document.querySelectorAll('#presence input').forEach((i) => {
        i.checked = i.value === state.presence;
      });
    }
  };

  // ------------------------------------------------------------------ personal stats

  const loadStats = async () => {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    let list;
    try {
      list = await getJson('/api/agents/' + encodeURIComponent(state.agentId) + '/contacts?since='
          + encodeURIComponent(midnight.toISOString()));
    } catch (e) {
      return;
    }
    if (!list) {
      return;
    }
    $('handled-today').textContent = String(list.length);
    const closed = list.filter((c) => c.assignedAt && c.closedAt);
    if (!closed.length) {
      $('handle-time').textContent = '–';
      return;
    }
    const total = closed.reduce((sum, c) => sum + (new Date(c.closedAt) - new Date(c.assignedAt)) / 1000, 0);
    $('handle-time').textContent = duration(total / closed.length);
  };

  // ------------------------------------------------------------------ the live feed

  const connect = () => {
    if (!state.token) {
      return;
    }
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/agent/ws?token='
        + encodeURIComponent(state.token);
    $('connection').textContent = state.everWelcomed ? 'Reconnecting…' : 'Connecting…';
    let socket;
    try {
      socket = new WebSocket(url);
    } catch (e) {
      retry();
      return;
    }
    state.socket = socket;
    socket.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame.type === 'welcome') {
        const again = state.everWelcomed;
        state.everWelcomed = true;
        state.attempts = 0;
        $('connection').textContent = 'Live';
        if (again) {
          loadFloor().then(loadMe); // what happened while the feed was down
        }
      } else if (frame.type === 'decision' && frame.decision) {
        handleDecision(frame.decision);
      }
    });
    socket.addEventListener('close', () => {
      if (state.socket !== socket) {
        return; // signed out, or replaced
      }
      state.socket = null;
      retry();
    });
  };

  const retry = async () => {
    if (!state.token) {
      return;
    }
    // A closed feed may mean an expired token: /api/agent/me answers 401 then, which signs out.
    try {
      await request('GET', '/api/agent/me');
    } catch (e) { /* the server is away: keep trying */ }
    if (!state.token) {
      return;
    }
    const delay = Math.min(30, 2 ** state.attempts);
    state.attempts++;
    $('connection').textContent = 'Connection lost. Reconnecting in ' + delay + ' s…';
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = setTimeout(connect, delay * 1000);
  };

  /** Every decision about the agent, from the feed or from an action's answer (each applied once). */
  const seenDecisions = new Set();

  const handleDecision = (d) => {
    if (!d || !d.type) {
      return;
    }
    if (d.id && seenDecisions.has(d.id)) {
      return;
    }
    if (d.id) {
      seenDecisions.add(d.id);
    }
    const mine = d.agentId === state.agentId;
    const conv = d.contactId ? state.conversations.get(d.contactId) : null;
    switch (d.type) {
      case 'offered':
        if (mine) {
          addOffer(d);
        }
        break;
      case 'offer-withdrawn':
      case 'offer-timed-out':
      case 'offer-rejected':
        dropOffer(d.offerId, d.contactId, d.type === 'offer-timed-out' ? 'The offer for {name} expired.'
            : d.type === 'offer-withdrawn' ? 'The offer for {name} was withdrawn.' : null);
        break;
      case 'assigned':
        if (mine) {
          dropOffer(d.offerId, d.contactId, null);
          const c = openConversation(d.contactId, { status: 'assigned', channel: d.channel });
          c.add(d);
        }
        break;
      case 'transferred':
        if (conv && d.previousAgentId === state.agentId && !mine) {
          conv.add(d);
          conv.remove();
          notice('You transferred ' + conv.customerName() + ' to ' + (d.agentId ? agentName(d.agentId)
              : 'queue ' + d.queueId) + '.');
        }
        break;
      case 'wrapped-up':
        if (conv) {
          conv.remove();
        }
        break;
      case 'follow-up-scheduled':
        notice('Follow-up scheduled for ' + when(d.dueAt) + (d.text ? ': ' + d.text : '') + '.');
        break;
      case 'follow-up-due':
        if (mine) {
          state.followUpNotes.set(d.contactId, d.text || '');
          notice('A follow-up is due' + (d.text ? ': ' + d.text : '') + '.');
        }
        break;
      case 'presence-changed':
        if (mine) {
          scheduleMe();
        }
        break;
      case 'refused': {
        const pending = state.pendingEvents.get(d.causeEventId);
        if (pending) {
          state.pendingEvents.delete(d.causeEventId);
          showError(pending.box, pending.what + ' was refused: ' + (d.text || d.reason) + '.');
        }
        break;
      }
      default:
        if (conv) {
          conv.add(d);
          if (d.type === 'ended') {
            conv.setStatus('ended');
          }
        }
    }
    if (d.causeEventId && state.pendingEvents.has(d.causeEventId) && d.type !== 'refused') {
      const pending = state.pendingEvents.get(d.causeEventId);
      state.pendingEvents.delete(d.causeEventId);
      showInfo(pending.box, pending.what + ': done.');
    }
    if (mine || d.previousAgentId === state.agentId) {
      scheduleMe();
      if (d.type === 'wrapped-up' || d.type === 'assigned') {
        setTimeout(loadStats, 1500); // once the ledger has it
      }
    }
  };

  // ------------------------------------------------------------------ offers

  const customerNameOf = (contact) => {
    if (!contact) {
      return null;
    }
    if (contact.customerName) {
      return contact.customerName;
    }
    const intro = (contact.decisions || []).find((x) => x.customer && x.customer.name);
    return intro ? intro.customer.name : null;
  };

  const unnamed = (customerKey) => 'Unnamed customer (' + identityText(customerKey) + ')';

  const addOffer = (d) => {
    if (!d.offerId || state.offers.has(d.offerId)) {
      return;
    }
    const titleId = uid('offer');
    const name = h('h3', { id: titleId, class: 'customer', text: 'Loading customer…' });
    const meta = h('p', { class: 'meta' },
        h('span', { class: 'badge channel-' + d.channel, text: channelName(d.channel) }),
        ' · queue ', h('span', { class: 'queue', text: d.queueId || '?' }),
        ' · ', h('span', { class: 'waited', text: 'waiting …' }));
    const kind = h('p', { class: 'kind', hidden: true });
    const first = h('blockquote', { class: 'first', hidden: true });
    const countdown = h('p', { class: 'countdown' });
    const bar = h('progress', { max: '100', value: '100', 'aria-hidden': 'true' });
    const error = h('p', { class: 'error', role: 'alert' });
    const accept = h('button', { type: 'button', class: 'accept', text: 'Accept' });
    const reject = h('button', { type: 'button', class: 'reject secondary', text: 'Reject' });
    const card = h('article', { class: 'offer', 'data-offer-id': d.offerId, 'data-contact-id': d.contactId,
      'aria-labelledby': titleId }, h('p', { class: 'label', text: 'New offer' }), name, meta, kind, first,
    countdown, bar, error, h('div', { class: 'actions' }, accept, reject));
    const offer = { offerId: d.offerId, contactId: d.contactId, card, name: null, queuedAt: null,
      dueAt: d.dueAt ? new Date(d.dueAt) : null, offeredAt: Date.now() };
    state.offers.set(d.offerId, offer);
    $('offers').append(card);
    updateEmpty();

    const tick = () => {
      if (offer.dueAt) {
        const left = (offer.dueAt.getTime() - Date.now()) / 1000;
        const total = Math.max(1, (offer.dueAt.getTime() - offer.offeredAt) / 1000);
        countdown.textContent = left > 0 ? 'Answer within ' + Math.ceil(left) + ' s' : 'Time is up: the offer expires.';
        countdown.classList.toggle('urgent', left <= 5);
        bar.value = Math.max(0, Math.min(100, (left / total) * 100));
      } else {
        countdown.textContent = '';
      }
      if (offer.queuedAt) {
        meta.querySelector('.waited').textContent = 'waiting ' + duration((Date.now() - offer.queuedAt) / 1000);
      }
    };
    tick();
    offer.timer = setInterval(tick, 1000);

    accept.addEventListener('click', async () => {
      accept.disabled = true;
      reject.disabled = true;
      const decisions = await act('/api/agent/offers/' + encodeURIComponent(d.offerId) + '/accept', {}, error,
          'Accepting ' + (offer.name || 'the offer'));
      if (!decisions) {
        accept.disabled = false;
        reject.disabled = false;
      }
    });
    reject.addEventListener('click', async () => {
      accept.disabled = true;
      reject.disabled = true;
      const decisions = await act('/api/agent/offers/' + encodeURIComponent(d.offerId) + '/reject',
          { reason: 'declined at the desk' }, error, 'Rejecting ' + (offer.name || 'the offer'));
      if (decisions) {
        dropOffer(d.offerId, d.contactId, null);
      } else {
        accept.disabled = false;
        reject.disabled = false;
      }
    });

    const describe = async () => {
      const contact = await ledgerContact(d.contactId, (c) => customerNameOf(c) || (c.decisions || []).length > 0);
      let customer = customerNameOf(contact);
      if (!customer && contact && contact.originContactId) {
        customer = customerNameOf(await ledgerContact(contact.originContactId));
      }
      offer.name = customer || unnamed(contact ? contact.customerKey : d.customerKey);
      name.textContent = offer.name;
      accept.setAttribute('aria-label', 'Accept ' + channelName(d.channel).toLowerCase() + ' from ' + offer.name);
      reject.setAttribute('aria-label', 'Reject ' + channelName(d.channel).toLowerCase() + ' from ' + offer.name);
      if (contact) {
        const since = contact.queuedAt || contact.openedAt;
        offer.queuedAt = since ? new Date(since).getTime() : null;
        const text = contact.subject ? contact.subject + (contact.firstText ? ': ' + contact.firstText : '')
            : contact.firstText;
        if (text) {
          first.textContent = text;
          first.hidden = false;
        }
      }
      const followUpNote = state.followUpNotes.get(d.contactId)
          ?? (contact && contact.originContactId ? ((contact.decisions || [])
              .find((x) => x.type === 'follow-up-scheduled') || {}).text || '' : null);
      if (d.previousAgentId && d.text) {
        kind.textContent = 'Transferred by ' + agentName(d.previousAgentId) + ': “' + d.text + '”';
        kind.hidden = false;
      } else if (followUpNote !== null && followUpNote !== undefined) {
        kind.textContent = 'Follow-up' + (followUpNote ? ': ' + followUpNote : '');
        kind.hidden = false;
      }
      tick();
    };
    describe();
  };

  const dropOffer = (offerId, contactId, message) => {
    let offer = offerId ? state.offers.get(offerId) : null;
    if (!offer && contactId) {
      offer = Array.from(state.offers.values()).find((o) => o.contactId === contactId);
    }
    if (!offer) {
      return;
    }
    clearInterval(offer.timer);
    offer.card.remove();
    state.offers.delete(offer.offerId);
    updateEmpty();
    if (message) {
      notice(message.replace('{name}', offer.name || 'a customer'), 'warning');
    }
  };

  const updateEmpty = () => {
    $('no-offers').hidden = state.offers.size > 0;
    $('no-conversations').hidden = state.conversations.size > 0;
  };

  // ------------------------------------------------------------------ conversations

  /** One field with its label; returns [label, control]. */
  const field = (labelText, control) => {
    control.id = control.id || uid('f');
    return [h('label', { for: control.id, text: labelText }), control];
  };

  const fillTransferTargets = (conv) => {
    const select = conv.transferTarget;
    const current = select.value;
    const agents = h('optgroup', { label: 'Agents' });
    Array.from(state.agents.entries()).filter(([id]) => id !== state.agentId)
        .sort((a, b) => a[1].name.localeCompare(b[1].name))
        .forEach(([id, a]) => agents.append(h('option', { value: 'agent:' + id,
          text: a.name + (a.presence ? ' (' + a.presence + ')' : '') })));
    const queues = h('optgroup', { label: 'Queues' });
    state.queues.forEach((q) => queues.append(h('option', { value: 'queue:' + q.id,
      text: 'Queue ' + q.name + (q.name !== q.id ? ' (' + q.id + ')' : '') })));
    select.replaceChildren(h('option', { value: '', text: 'Choose an agent or a queue' }), agents, queues);
    if (current) {
      select.value = current;
    }
  };

  const openConversation = (contactId, hint) => {
    if (state.conversations.has(contactId)) {
      return state.conversations.get(contactId);
    }
    const titleId = uid('conv');
    const channel = hint.channel;
    const title = h('h3', { id: titleId, class: 'customer', text: 'Loading customer…' });
    const meta = h('p', { class: 'meta' }, h('span', { class: 'badge channel-' + channel, text: channelName(channel) }),
        ' · ', h('span', { class: 'queue' }), ' · ', h('span', { class: 'status' }));
    const identities = h('p', { class: 'identities' });
    const subject = h('p', { class: 'subject', hidden: true });
    const callState = h('p', { class: 'call-state', role: 'status', hidden: channel !== 'voice' });
    const transferNote = h('p', { class: 'transfer-note', hidden: true });
    const followUp = h('p', { class: 'transfer-note follow-up', hidden: true });
    const historyList = h('ol', { class: 'history-list' });
    const historySummary = h('summary', { text: 'Earlier contacts (loading…)' });
    const history = h('details', { class: 'history' }, historySummary, historyList);
    const log = h('ol', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
    const error = h('p', { class: 'error', role: 'alert' });

    // reply (not for calls)
    const replyText = h('textarea', { rows: '3', name: 'reply' });
    const replyLabel = channel === 'voice' ? null : (REPLY_VERB[channel] || 'Reply');
    const replyForm = channel === 'voice' ? null : h('form', { class: 'reply', novalidate: true },
        ...field(replyLabel, replyText), h('button', { type: 'submit', text: 'Send reply' }));

    // note
    const noteText = h('textarea', { rows: channel === 'voice' ? '3' : '1', name: 'note' });
    const noteForm = h('form', { class: 'note', novalidate: true },
        ...field(channel === 'voice' ? 'Call notes (only agents see them)' : 'Note (only agents see it)', noteText),
        h('button', { type: 'submit', class: 'secondary', text: 'Add note' }));

    // transfer
    const transferTarget = h('select', { name: 'target' });
    const transferText = h('textarea', { rows: '2', name: 'transfer-note', 'aria-required': 'true' });
    const transferForm = h('form', { class: 'transfer', novalidate: true },
        ...field('Transfer to', transferTarget), ...field('Note for whoever takes over (required)', transferText),
        h('button', { type: 'submit', class: 'secondary', text: 'Transfer' }));
    const transfer = h('details', { class: 'tool' }, h('summary', { text: 'Transfer' }), transferForm);

    // wrap-up
    const dispositions = h('datalist', { id: uid('dispositions') },
        ['solved', 'resolved', 'callback', 'escalated', 'no-answer', 'spam'].map((v) => h('option', { value: v })));
    const disposition = h('input', { name: 'disposition', list: dispositions.id, autocomplete: 'off',
      'aria-required': 'true' });
    const followUpAt = h('input', { type: 'datetime-local', name: 'follow-up-at', step: '1' });
    const followUpNote = h('input', { name: 'follow-up-note' });
    const wrapForm = h('form', { class: 'wrap-up', novalidate: true },
        ...field('Disposition (required)', disposition), dispositions,
        ...field('Follow-up at (optional, your local time)', followUpAt),
        ...field('Follow-up note (optional)', followUpNote),
        h('button', { type: 'submit', text: 'Wrap up' }));
    const wrap = h('details', { class: 'tool' }, h('summary', { text: 'Wrap up' }), wrapForm);

    const section = h('section', { class: 'conversation', 'data-contact-id': contactId, 'aria-labelledby': titleId },
        h('header', {}, title, meta, identities, subject, callState), transferNote, followUp, history, log, error,
        replyForm, noteForm, h('div', { class: 'tools' }, transfer, wrap));

    const conv = {
      contactId,
      channel,
      addedAt: Date.now(),
      status: hint.status,
      name: null,
      transferTarget,
      customerName: () => conv.name || 'the customer',
      add: (d) => addEntry(d),
      setStatus: (status) => {
        conv.status = status;
        meta.querySelector('.status').textContent = status === 'assigned' ? 'open' : status;
        if (channel === 'voice') {
          callState.hidden = false;
          callState.textContent = status === 'ended' ? 'Call ended: the caller hung up. Add notes, then wrap up.'
              : status === 'assigned' ? 'Call connected: it rings in your browser or on your phone.'
                  : 'Call ' + status;
        }
      },
      remove: () => {
        section.remove();
        state.conversations.delete(contactId);
        updateEmpty();
      },
    };
    const entries = new Set();

    /** Puts a decision into the log, in decision order; a decision shows once. */
    const addEntry = (d) => {
      if (!d || !d.id || entries.has(d.id)) {
        return;
      }
      let item = null;
      const who = d.agentName || agentName(d.agentId);
      switch (d.type) {
        case 'queued':
        case 'message-queued':
        case 'message-to-owner':
          if (d.text && !(d.type === 'message-queued' && /^customer left/.test(d.text))) {
            item = ['customer', conv.name || 'Customer', d.text];
          }
          break;
        case 'replied':
          item = ['agent', who, d.text];
          break;
        case 'note-added':
          item = ['note', 'Note by ' + who, d.text];
          break;
        case 'assigned':
          item = ['system', null, who + ' took the conversation' + (d.previousAgentId ? ' from '
              + agentName(d.previousAgentId) : '') + '.'];
          break;
        case 'transferred':
          item = ['system', null, agentName(d.previousAgentId) + ' transferred it to ' + (d.agentId ? agentName(d.agentId)
              : 'queue ' + d.queueId) + (d.text ? ': “' + d.text + '”' : '.')];
          if (d.agentId === state.agentId && d.text) {
            transferNote.textContent = 'Transferred to you by ' + agentName(d.previousAgentId) + ': “' + d.text + '”';
            transferNote.hidden = false;
          }
          break;
        case 'ended':
          item = ['system', null, channel === 'voice' ? 'The call ended.' : 'The customer left' + (d.text ? ' ('
              + d.text + ')' : '') + '.'];
          break;
        case 'follow-up-scheduled':
        case 'follow-up-due':
          followUp.textContent = 'Follow-up' + (d.text ? ': ' + d.text : '');
          followUp.hidden = false;
          break;
        default:
          break;
      }
      entries.add(d.id);
      if (!item) {
        return;
      }
      const [kind, whoText, text] = item;
      const li = h('li', { class: kind, 'data-sequence': String(d.sequence || 0) },
          whoText ? h('span', { class: 'who', text: whoText }) : null,
          h('span', { class: 'text', text }),
          h('time', { datetime: d.decidedAt || '', text: when(d.decidedAt) }));
      const later = Array.from(log.children).find((x) => Number(x.dataset.sequence) > (d.sequence || 0));
      log.insertBefore(li, later || null);
      log.scrollTop = log.scrollHeight;
    };

    const busy = async (form, work) => {
      const buttons = form.querySelectorAll('button');
      buttons.forEach((b) => { b.disabled = true; });
      try {
        return await work();
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
      }
    };

    if (replyForm) {
      replyForm.addEventListener('submit', (e) => {
        e.preventDefault();
        const text = replyText.value.trim();
        if (!text) {
          showError(error, 'Write a reply first.');
          replyText.focus();
          return;
        }
        busy(replyForm, async () => {
          const done = await act('/api/agent/contacts/' + encodeURIComponent(contactId) + '/reply', { text }, error,
              'Your reply');
          if (done) {
            replyText.value = '';
          }
        });
      });
      replyText.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          replyForm.requestSubmit();
        }
      });
    }
    noteForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = noteText.value.trim();
      if (!text) {
        showError(error, 'Write the note first.');
        noteText.focus();
        return;
      }
      busy(noteForm, async () => {
        if (await act('/api/agent/contacts/' + encodeURIComponent(contactId) + '/notes', { text }, error, 'The note')) {
          noteText.value = '';
        }
      });
    });
    transfer.addEventListener('toggle', () => {
      if (transfer.open) {
        loadFloor();
      }
    });
    transferForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const target = transferTarget.value;
      const note = transferText.value.trim();
      if (!target) {
        showError(error, 'Choose who the conversation goes to.');
        transferTarget.focus();
        return;
      }
      if (!note) {
        showError(error, 'A transfer needs a note for whoever takes over.');
        transferText.focus();
        return;
      }
      const body = target.startsWith('agent:') ? { toAgent: target.slice(6), note } : { toQueue: target.slice(6), note };
      busy(transferForm, async () => {
        const done = await act('/api/agent/contacts/' + encodeURIComponent(contactId) + '/transfer', body, error,
            'The transfer');
        if (done) {
          transferText.value = '';
        }
      });
    });
    wrapForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = disposition.value.trim();
      if (!value) {
        showError(error, 'Give a disposition (what came of it) to wrap up.');
        disposition.focus();
        return;
      }
      const body = { disposition: value };
      if (followUpAt.value) {
        const at = new Date(followUpAt.value);
        if (Number.isNaN(at.getTime())) {
          showError(error, 'The follow-up time is not a valid date and time.');
          followUpAt.focus();
          return;
        }
        body.followUpAt = at.toISOString();
        if (followUpNote.value.trim()) {
          body.followUpNote = followUpNote.value.trim();
        }
      } else if (followUpNote.value.trim()) {
        showError(error, 'A follow-up note needs a follow-up time.');
        followUpAt.focus();
        return;
      }
      busy(wrapForm, async () => {
        const done = await act('/api/agent/contacts/' + encodeURIComponent(contactId) + '/wrap-up', body, error,
            'The wrap-up');
        if (done) {
          notice('Wrapped up ' + conv.customerName() + ': ' + value + (body.followUpAt ? '; follow-up '
              + when(body.followUpAt) : '') + '.');
          conv.remove();
        }
      });
    });

    state.conversations.set(contactId, conv);
    $('conversations').append(section);
    conv.setStatus(hint.status || 'assigned');
    fillTransferTargets(conv);
    updateEmpty();

    const describe = async (again) => {
      const contact = await ledgerContact(contactId, (c) => (c.decisions || []).length > 0);
      if (!contact || !state.conversations.has(contactId)) {
        if (!again) {
          showError(error, 'The ledger does not have this contact yet; its history will show once it does.');
        }
        return;
      }
      let name = customerNameOf(contact);
      let intro = (contact.decisions || []).find((x) => x.customer);
      if ((!name || !intro) && contact.originContactId) {
        const origin = await ledgerContact(contact.originContactId);
        name = name || customerNameOf(origin);
        intro = intro || (origin && (origin.decisions || []).find((x) => x.customer));
      }
      conv.name = name || unnamed(contact.customerKey);
      title.textContent = conv.name;
      log.setAttribute('aria-label', 'Conversation with ' + conv.name);
      log.querySelectorAll('li.customer .who').forEach((w) => { w.textContent = conv.name; });
      meta.querySelector('.queue').textContent = 'queue ' + (contact.queueId || '?');
      const ids = intro && intro.customer.identities ? intro.customer.identities : [contact.customerKey];
      const claimed = intro && intro.customer.claimedEmail;
      identities.textContent = ids.map(identityText).join(' · ')
          + (claimed ? ' · says ' + claimed + ' (not verified: typed by the customer, not checked)' : '');
      if (channel === 'email' && contact.subject) {
        subject.textContent = 'Subject: ' + contact.subject;
        subject.hidden = false;
      }
      if (!again && contact.status === 'ended') {
        conv.setStatus('ended');
      }
      (contact.decisions || []).forEach(addEntry);
      if (!again) {
        loadHistory(contact);
      }
    };

    const loadHistory = async (contact) => {
      const key = contact.customerKey;
      // An agent may read the history of their contacts' customers. Right after an offer or a transfer the router's
      // floor and the ledger may not show the contact as theirs yet, so a refusal (403) is asked again for a while.
      let earlier = null;
      for (let tries = 0; earlier === null && tries < 20 && state.token; tries++) {
        try {
          const r = await request('GET', '/api/customers/' + encodeURIComponent(key) + '/contacts');
          earlier = r.status === 200 ? (r.body || []) : (r.status === 403 ? null : []);
        } catch (e) {
          earlier = [];
        }
        if (earlier === null) {
          await sleep(500);
        }
      }
      earlier = (earlier || []).filter((c) => c.contactId !== contactId);
      historySummary.textContent = earlier.length ? 'Earlier contacts (' + earlier.length + ')' : 'No earlier contacts';
      history.open = earlier.length > 0;
      const items = await Promise.all(earlier.slice(0, 10).map(async (c) => {
        const full = await getJson('/api/contacts/' + encodeURIComponent(c.contactId)).catch(() => null);
        const notes = full ? (full.decisions || []).filter((x) => x.type === 'note-added' || (x.type === 'transferred'
            && x.text)).map((x) => x.text) : [];
        const handledBy = c.agents && c.agents.length ? c.agents.map(agentName).join(', ')
            : (c.ownerAgentId ? agentName(c.ownerAgentId) : 'nobody yet');
        const topic = c.subject || c.firstText || '';
        return h('li', { class: 'earlier' },
            h('p', {}, h('time', { datetime: c.openedAt, text: when(c.openedAt) }), ' · ',
                h('span', { class: 'badge channel-' + c.channel, text: channelName(c.channel) }), ' · handled by ',
                h('strong', { text: handledBy }), ' · ',
                h('span', { class: 'disposition', text: c.disposition ? c.disposition : c.status })),
            topic ? h('p', { class: 'topic', text: topic }) : null,
            notes.length ? h('ul', { class: 'notes' }, notes.map((n) => h('li', { text: 'Note: ' + n }))) : null);
      }));
      historyList.replaceChildren(...items);
    };

    describe(false).then(() => sleep(2000)).then(() => describe(true)); // the ledger lags the feed a little
    return conv;
  };

  // ------------------------------------------------------------------ start

  document.addEventListener('DOMContentLoaded', () => {
    $('signin-form').addEventListener('submit', signIn);
    $('signout').addEventListener('click', async () => {
      // Signing out also takes the agent off the floor, so no offer rings an empty desk.
      if (state.presence && state.presence !== 'offline') {
        try {
          await request('POST', '/api/agent/presence', { presence: 'offline' }, { 'Idempotency-Key': newKey() });
        } catch (e) { /* signed out all the same; the router sets a missed offer's agent away */ }
      }
      try {
        await request('POST', '/api/agent/logout', {}); // revokes the token on every instance
      } catch (e) { /* the token still expires on its own */ }
      signOut('You signed out and are offline.');
    });
    document.querySelectorAll('#presence input').forEach((i) => i.addEventListener('change', setPresence));
    const login = saved();
    if (login && login.token && (!login.expiresAt || new Date(login.expiresAt) > new Date())) {
      start(login);
    } else {
      signOut(login ? 'Your sign-in has expired. Please sign in again.' : '');
    }
  });
})();
