/*
 * Contact Router web chat widget. One line on a page adds a chat button and its panel:
 *
 *   <script src="https://chat.example.com/chat/widget.js" async></script>
 *
 * Optional: data-title="Talk to us" on that tag names the panel; data-visitor-token="..." carries the host site's
 * signed token for a logged-in visitor, which confirms their email address. Plain JavaScript, no dependencies, no
 * build step. It talks to the WebSocket next to this script (…/chat/ws); the protocol is in docs/channels.md.
 */
(() => {
  'use strict';

  const script = document.currentScript ||
      Array.from(document.scripts).find((s) => /\/chat\/widget\.js(\?|$)/.test(s.src));
  if (!script || window.contactRouterChat) {
    return;
  }
  window.contactRouterChat = true;

  const scriptUrl = new URL(script.src, location.href);
  const socketUrl = (scriptUrl.protocol === 'https:' ? 'wss://' : 'ws://') + scriptUrl.host +
      scriptUrl.pathname.replace(/widget\.js$/, 'ws');
  const title = script.dataset.title || 'Chat with us';
  const visitorToken = script.dataset.visitorToken || null;
  const storeKey = 'contact-router-chat:' + scriptUrl.host;

  // The session id and the next message number live in localStorage, shared by the visitor's tabs; messages not yet
  // acknowledged live in sessionStorage, so this tab sends them again after a reload.
  const store = {
    read(area) {
      try {
        return JSON.parse(area.getItem(storeKey));
      } catch (e) {
        return null;
      }
    },
    write(area, value) {
      try {
        area.setItem(storeKey, JSON.stringify(value));
      } catch (e) { /* storage disabled: the chat still works until the page is left */ }
    },
    session() { return store.read(window.localStorage) || {}; },
    saveSession(value) { store.write(window.localStorage, value); },
    pending() { return store.read(window.sessionStorage) || []; },
    savePending() { store.write(window.sessionStorage, pending); },
    clear() {
      try {
        window.localStorage.removeItem(storeKey);
        window.sessionStorage.removeItem(storeKey);
      } catch (e) { /* nothing stored */ }
    },
  };

  let pending = store.pending();       // [{seq, text, failed}] sent but not acknowledged
  let sessionId = store.session().session || null;
  let socket = null;
  let welcomed = false;
  let stopped = false;                 // the visitor ended the chat: do not reconnect
  let attempts = 0;
  let reconnectTimer = null;
  let profile = null;                  // name and email, sent with the first hello only
  let maxBytes = 4096;
  let unread = 0;

  // ---- the panel ----

  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === 'text') {
        node.textContent = v;
      } else if (k === 'hidden') {
        node.hidden = v;
      } else {
        node.setAttribute(k, v);
      }
    });
    children.forEach((c) => node.append(c));
    return node;
  };

  const host = el('div', { id: 'contact-router-chat' });
  const root = host.attachShadow({ mode: 'open' });
  const css = `
    :host { all: initial; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2430; }
    .launcher { position: fixed; right: 1.25rem; bottom: 1.25rem; z-index: 2147483000; padding: .75rem 1.1rem;
      border: 0; border-radius: 2rem; background: #1f4fd1; color: #fff; font: inherit; font-weight: 600;
      cursor: pointer; box-shadow: 0 2px 8px rgba(0,0,0,.25); }
    .badge { margin-left: .4rem; padding: 0 .45rem; border-radius: 1rem; background: #fff; color: #1f4fd1; }
    .panel { position: fixed; right: 1.25rem; bottom: 4.75rem; z-index: 2147483000; display: flex;
      flex-direction: column; width: min(23rem, calc(100vw - 2.5rem)); height: min(34rem, calc(100vh - 6.5rem));
      background: #fff; border-radius: .75rem; box-shadow: 0 4px 24px rgba(0,0,0,.25); overflow: hidden; }
    [hidden] { display: none !important; }
    header { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .5rem; padding: .75rem 1rem;
      background: #1f4fd1; color: #fff; }
    h2 { flex: 1; margin: 0; font-size: 1.05rem; }
    .status { flex-basis: 100%; order: 3; margin: 0; font-size: .85rem; min-height: 1em; }
    header button { border: 1px solid rgba(255,255,255,.6); border-radius: .4rem; background: transparent;
      color: #fff; font: inherit; font-size: .85rem; padding: .15rem .5rem; cursor: pointer; }
    form.intro { display: flex; flex-direction: column; gap: .35rem; padding: 1rem; }
    label { font-weight: 600; font-size: .9rem; }
    input, textarea { font: inherit; padding: .45rem .55rem; border: 1px solid #8a94a6; border-radius: .4rem; }
    button[type=submit] { margin-top: .5rem; padding: .55rem; border: 0; border-radius: .4rem; background: #1f4fd1;
      color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
    .conversation { display: flex; flex-direction: column; flex: 1; min-height: 0; }
    ol.log { flex: 1; overflow-y: auto; margin: 0; padding: .75rem 1rem; list-style: none; }
    .log li { margin: .4rem 0; }
    .who { display: block; font-size: .75rem; color: #4d5668; }
    .text { display: inline-block; margin: 0; padding: .45rem .7rem; border-radius: .75rem; background: #eef1f6;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    .customer { text-align: right; }
    .customer .text { background: #1f4fd1; color: #fff; }
    .notice { text-align: center; font-size: .85rem; color: #4d5668; }
    .state { display: block; font-size: .75rem; color: #4d5668; }
    .state.failed { color: #b3261e; }
    .state button { font: inherit; margin-left: .3rem; }
    form.composer { display: flex; gap: .5rem; align-items: flex-end; padding: .6rem; border-top: 1px solid #dde2ea; }
    form.composer textarea { flex: 1; resize: none; }
    form.composer button { margin: 0; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
      white-space: nowrap; }
    :focus-visible { outline: 3px solid #f4b400; outline-offset: 2px; }`;
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(el('style', { text: css }));
  }

  const badge = el('span', { class: 'badge', hidden: true });
  const launcher = el('button', { class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'panel' },
      title, badge);
  const heading = el('h2', { id: 'title', text: title });
  const status = el('p', { class: 'status', role: 'status' });
  const endButton = el('button', { type: 'button', class: 'end', hidden: true, text: 'End chat' });
  const closeButton = el('button', { type: 'button', class: 'close', 'aria-label': 'Close the chat panel', text: '×' });
  const nameInput = el('input', { id: 'name', name: 'name', autocomplete: 'name', maxlength: '100' });
  const emailInput = el('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'email', maxlength: '254' });
  const intro = el('form', { class: 'intro' },
      el('p', { text: 'Write to us and an agent will answer here. Your name and email address are optional.' }),
      el('label', { for: 'name', text: 'Your name (optional)' }), nameInput,
      el('label', { for: 'email', text: 'Email (optional)' }), emailInput,
      el('button', { type: 'submit', text: 'Start chat' }));
  const log = el('ol', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages' });
  const textInput = el('textarea', { id: 'text', rows: '2', placeholder: 'Type your message' });
  const composer = el('form', { class: 'composer' },
      el('label', { for: 'text', class: 'visually-hidden', text: 'Message' }), textInput,
      el('button', { type: 'submit', text: 'Send' }));
  const conversation = el('div', { class: 'conversation', hidden: true }, log, composer);
  const panel = el('section', { id: 'panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'title', hidden: true },
      el('header', {}, heading, endButton, closeButton, status), intro, conversation);
  root.append(launcher, panel);

  const setStatus = (text) => { status.textContent = text || ''; };
  const setAgent = (name) => { heading.textContent = name ? 'Chatting with ' + name : title; };
  const showConversation = (started) => {
    intro.hidden = started;
    conversation.hidden = !started;
    endButton.hidden = !started;
  };

  const openPanel = () => {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    unread = 0;
    badge.hidden = true;
    (conversation.hidden ? nameInput : textInput).focus();
  };
  const closePanel = () => {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  };
  launcher.addEventListener('click', () => (panel.hidden ? openPanel() : closePanel()));
  closeButton.addEventListener('click', closePanel);
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      closePanel();
    }
  });

  // ---- the transcript ----

  const scrollDown = () => { log.scrollTop = log.scrollHeight; };
  const quoted = (value) => (window.CSS && CSS.escape ? CSS.escape(String(value)) : String(value));

  const addNotice = (text, id) => {
    if (!text || (id && log.querySelector('[data-id="' + quoted(id) + '"]'))) {
      return;
    }
    const li = el('li', { class: 'notice', text });
    if (id) {
      li.dataset.id = id;
    }
    log.append(li);
    scrollDown();
  };

  const addAgentMessage = (frame) => {
    if (frame.id && log.querySelector('[data-id="' + quoted(frame.id) + '"]')) {
      return;
    }
    const li = el('li', { class: 'agent' }, el('span', { class: 'who', text: frame.agentName || 'Agent' }),
        el('p', { class: 'text', text: frame.text }));
    li.dataset.id = frame.id || '';
    log.append(li);
    scrollDown();
  };

  const customerBubble = (seq) => log.querySelector('li.customer[data-seq="' + quoted(seq) + '"]');

  const addCustomerMessage = (seq, text, state) => {
    let li = customerBubble(seq);
    if (!li) {
      li = el('li', { class: 'customer' }, el('span', { class: 'who', text: 'You' }), el('p', { class: 'text', text }),
          el('span', { class: 'state' }));
      li.dataset.seq = seq;
      log.append(li);
      scrollDown();
    }
    setState(li, state);
  };

  const setState = (li, state, reason) => {
    const s = li.querySelector('.state');
    s.className = 'state';
    s.textContent = '';
    if (state === 'sending') {
      s.textContent = 'Sending…';
    } else if (state === 'failed') {
      s.classList.add('failed');
      const retry = el('button', { type: 'button', text: 'Send again' });
      retry.addEventListener('click', () => {
        const p = pending.find((m) => String(m.seq) === li.dataset.seq);
        if (p) {
          p.failed = false;
          setState(li, 'sending');
          transmit(p);
        }
      });
      s.append(reason || 'Not sent.', retry);
    }
  };

  /** Draws a frame from the server, live or from the transcript. */
  const render = (frame) => {
    switch (frame.type) {
      case 'message':
        if (frame.from === 'customer') {
          addCustomerMessage(frame.seq, frame.text, 'sent');
        } else {
          addAgentMessage(frame);
        }
        break;
      case 'agent-joined':
      case 'handover':
        setAgent(frame.agentName);
        addNotice(frame.text, frame.id);
        break;
      case 'closed':
        setAgent(null);
        addNotice(frame.text, frame.id);
        break;
      case 'wait':
      case 'after-hours':
        addNotice(frame.text, frame.id);
        break;
      default:
        return false;
    }
    return true;
  };

  // ---- the connection ----

  /** The next message number, counted in localStorage so the visitor's tabs do not collide (the server checks). */
  const takeSeq = (atLeast) => {
    const stored = store.session();
    const seq = Math.max(stored.nextSeq || 1, atLeast || 1);
    stored.nextSeq = seq + 1;
    store.saveSession(stored);
    return seq;
  };

  const transmit = (p) => {
    if (socket && welcomed && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: 'message', seq: p.seq, text: p.text }));
    }
  };

  /** The first frame on every connection: the session to resume, the host site's token, and the profile if given. */
  const hello = (withProfile) => {
    const frame = { type: 'hello', language: navigator.language };
    if (sessionId) {
      frame.session = sessionId;
    }
    if (visitorToken) {
      frame.visitorToken = visitorToken;
    }
    return Object.assign(frame, withProfile || {});
  };

  const connect = () => {
    clearTimeout(reconnectTimer);
    if (socket || stopped) {
      return;
    }
    setStatus('Connecting…');
    const ws = new WebSocket(socketUrl);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify(hello(profile)));
    ws.onmessage = (e) => receive(JSON.parse(e.data));
    ws.onclose = (e) => {
      if (socket !== ws) {
        return;
      }
      socket = null;
      welcomed = false;
      if (stopped) {
        return;
      }
      const delay = Math.min(30000, 1000 * 2 ** attempts) * (0.75 + Math.random() / 2);
      attempts += 1;
      const why = { 1009: 'A message was too long. ', 1013: 'Too many new chats from your network just now. ' };
      setStatus((why[e.code] || '') + 'Connection lost; trying again in ' + Math.ceil(delay / 1000) + ' s.');
      reconnectTimer = setTimeout(connect, delay);
    };
  };

  const receive = (frame) => {
    switch (frame.type) {
      case 'welcome': {
        welcomed = true;
        attempts = 0;
        profile = null;
        const stored = store.session();
        const renewed = sessionId !== frame.session;
        sessionId = frame.session;
        stored.session = frame.session;
        stored.nextSeq = Math.max(renewed ? 1 : stored.nextSeq || 1, frame.nextSeq);
        store.saveSession(stored);
        if (renewed) {
          pending.forEach((p) => { p.seq = takeSeq(); });
          store.savePending();
        }
        maxBytes = frame.maxMessageBytes || maxBytes;
        log.textContent = '';
        setAgent(frame.agentName);
        frame.transcript.forEach(render);
        showConversation(true);
        setStatus('');
        pending.forEach((p) => {
          addCustomerMessage(p.seq, p.text, 'sending');
          transmit(p);
        });
        break;
      }
      case 'ack': {
        pending = pending.filter((p) => p.seq !== frame.seq);
        store.savePending();
        const li = customerBubble(frame.seq);
        if (li) {
          setState(li, 'sent');
        }
        break;
      }
      case 'error': {
        const p = pending.find((m) => m.seq === frame.seq);
        if (p && frame.code === 'seq-conflict') {
          const li = customerBubble(p.seq);
          p.seq = takeSeq(frame.nextSeq);
          store.savePending();
          if (li) {
            li.dataset.seq = p.seq;
          }
          transmit(p);
        } else if (p) {
          p.failed = true;
          store.savePending();
          const li = customerBubble(p.seq);
          if (li) {
            setState(li, 'failed', frame.message + ' ');
          }
        } else if (frame.code === 'invalid-hello' && socket) {
          setStatus(frame.message);
          profile = null;
          socket.send(JSON.stringify(hello(null)));
        } else {
          setStatus(frame.message);
        }
        break;
      }
      case 'ended':
        stop('This chat has ended. You can start a new one any time.');
        break;
      default:
        if (render(frame) && panel.hidden) {
          unread += 1;
          badge.textContent = String(unread);
          badge.hidden = false;
        }
    }
  };

  /** Forgets the chat in this browser and shows the start form again. */
  const stop = (notice) => {
    stopped = true;
    clearTimeout(reconnectTimer);
    if (socket) {
      const ws = socket;
      socket = null;
      ws.close(1000, 'chat ended');
    }
    store.clear();
    sessionId = null;
    pending = [];
    log.textContent = '';
    setAgent(null);
    showConversation(false);
    setStatus(notice);
  };

  intro.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!emailInput.checkValidity()) {
      setStatus('Please check your email address, or leave it empty.');
      emailInput.focus();
      return;
    }
    profile = {};
    if (nameInput.value.trim()) {
      profile.name = nameInput.value.trim();
    }
    if (emailInput.value.trim()) {
      profile.email = emailInput.value.trim();
    }
    stopped = false;
    showConversation(true);
    textInput.focus();
    connect();
  });

  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = textInput.value.trim();
    if (!text) {
      return;
    }
    const size = new TextEncoder().encode(JSON.stringify({ type: 'message', seq: 2 ** 53 - 1, text })).length;
    if (size > maxBytes) {
      setStatus('This message is too long to send; please split it into shorter ones.');
      return;
    }
    const p = { seq: takeSeq(), text };
    pending.push(p);
    store.savePending();
    addCustomerMessage(p.seq, p.text, 'sending');
    transmit(p);
    textInput.value = '';
    if (!socket) {
      connect();
    }
  });

  textInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });

  endButton.addEventListener('click', () => {
    if (socket && welcomed) {
      socket.send(JSON.stringify({ type: 'end' }));
    }
    stop('You ended the chat. You can start a new one any time.');
    nameInput.focus();
  });

  window.addEventListener('online', () => {
    if (!socket && !stopped && sessionId) {
      attempts = 0;
      connect();
    }
  });

  const start = () => {
    document.body.append(host);
    if (sessionId || pending.length) {
      showConversation(true);
      connect();
    }
  };
  if (document.body) {
    start();
  } else {
    document.addEventListener('DOMContentLoaded', start);
  }
})();
