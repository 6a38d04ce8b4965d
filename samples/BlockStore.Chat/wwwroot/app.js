// The chat page: no build step, plain DOM. Live messages come from the hub's Watch stream of the user's timeline;
// after a drop the page subscribes again from the last SeqId it received, so nothing is missed or shown twice.
'use strict';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = {
  user: params.get('user'),
  name: '',
  conv: null,
  lastSeqId: 0,
  oldestSeqId: 0,
  loadingOlder: false,
  conversations: [],
  connection: null,
  wantOnline: true,
};

async function api(path, options) {
  const response = await fetch(path, options);
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    const fields = problem && problem.errors ? Object.entries(problem.errors).map(([field, messages]) => `${field}: ${messages.join(' ')}`) : [];
    throw new Error(fields.length ? fields.join('; ') : (problem && (problem.detail || problem.title)) || response.statusText);
  }

  return response.status === 204 ? null : response.json();
}

function post(path, body) {
  return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

function showError(error) {
  $('error').textContent = error ? String(error.message || error) : '';
}

function setStatus(text) {
  $('status').textContent = text;
  $('status').dataset.state = text;
}

async function showPicker() {
  $('picker').hidden = false;
  const users = await api('/api/users');
  for (const user of users) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = user.name;
    button.dataset.user = user.id;
    button.addEventListener('click', () => { location.search = `?user=${encodeURIComponent(user.id)}`; });
    const item = document.createElement('li');
    item.append(button);
    $('users').append(item);
  }
}

async function showChat() {
  $('chat').hidden = false;
  $('switch-user').hidden = false;
  $('toggle-connection').hidden = false;
  const inbox = await api(`/api/users/${encodeURIComponent(state.user)}/inbox`);
  state.name = inbox.user.name;
  $('me').textContent = state.name;
  state.lastSeqId = inbox.watchAfterSeqId;
  state.conversations = inbox.conversations;
  renderConversations();
  connect();
  const open = params.get('conv');
  if (open && state.conversations.some((c) => c.id === open)) {
    await openConversation(open);
  }
}

function renderConversations() {
  state.conversations.sort((a, b) => (b.last ? b.last.seqId : 0) - (a.last ? a.last.seqId : 0));
  const list = $('conversations');
  list.replaceChildren();
  let total = 0;
  for (const conversation of state.conversations) {
    total += conversation.unread;
    const button = document.createElement('button');
    button.type = 'button';
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = conversation.title;
    const unread = document.createElement('span');
    unread.className = 'unread';
    unread.textContent = conversation.unread;
    unread.dataset.count = conversation.unread;
    const preview = document.createElement('span');
    preview.className = 'preview';
    preview.textContent = conversation.last ? `${conversation.last.senderName}: ${conversation.last.text}` : 'No messages yet';
    button.append(title, unread, preview);
    button.addEventListener('click', () => openConversation(conversation.id).catch(showError));
    const item = document.createElement('li');
    item.dataset.conv = conversation.id;
    item.classList.toggle('open', conversation.id === state.conv);
    item.append(button);
    list.append(item);
  }

  document.title = total > 0 ? `(${total}) BlockStore Chat` : 'BlockStore Chat';
}

async function openConversation(convId) {
  const conversation = state.conversations.find((c) => c.id === convId);
  state.conv = convId;
  state.oldestSeqId = 0;
  history.replaceState(null, '', `?user=${encodeURIComponent(state.user)}&conv=${encodeURIComponent(convId)}`);
  $('conversation-title').textContent = conversation.title;
  $('messages').replaceChildren();
  $('composer').hidden = false;
  showError(null);
  const page = await api(`/api/conversations/${encodeURIComponent(convId)}/messages`);
  if (state.conv !== convId) {
    return;
  }

  for (const message of page.messages) {
    insertMessage(message);
  }

  setHistoryStart(page.hasOlder);
  const pane = $('history');
  pane.scrollTop = pane.scrollHeight;
  await markRead(conversation);
  $('text').focus();
}

function setHistoryStart(hasOlder) {
  const first = $('messages').firstElementChild;
  state.oldestSeqId = first ? Number(first.dataset.seq) : 0;
  $('older').hidden = !hasOlder;
  $('history-start').hidden = hasOlder;
}

async function loadOlder() {
  if (state.loadingOlder || !state.conv || $('older').hidden) {
    return;
  }

  state.loadingOlder = true;
  const convId = state.conv;
  try {
    const page = await api(`/api/conversations/${encodeURIComponent(convId)}/messages?beforeSeqId=${state.oldestSeqId}`);
    if (state.conv !== convId) {
      return;
    }

    const pane = $('history');
    const fromBottom = pane.scrollHeight - pane.scrollTop;
    for (const message of page.messages) {
      insertMessage(message);
    }

    setHistoryStart(page.hasOlder);
    pane.scrollTop = pane.scrollHeight - fromBottom;
  } finally {
    state.loadingOlder = false;
  }
}

// Keeps the list in SeqId order and shows each message once, whichever way it arrived (history, send, live).
function insertMessage(message) {
  const list = $('messages');
  let before = null;
  for (const item of list.children) {
    const seqId = Number(item.dataset.seq);
    if (seqId === message.seqId) {
      return;
    }

    if (seqId > message.seqId) {
      before = item;
      break;
    }
  }

  const item = document.createElement('li');
  item.dataset.seq = message.seqId;
  item.classList.toggle('mine', message.senderId === state.user);
  const sender = document.createElement('span');
  sender.className = 'sender';
  sender.textContent = message.senderName;
  const time = document.createElement('time');
  time.dateTime = message.createdAt;
  time.textContent = new Date(message.createdAt).toLocaleTimeString();
  const text = document.createElement('p');
  text.className = 'text';
  text.textContent = message.text;
  item.append(sender, time, text);
  list.insertBefore(item, before);
}

async function markRead(conversation) {
  const newest = conversation.last ? conversation.last.seqId : 0;
  conversation.unread = 0;
  renderConversations();
  if (newest > 0) {
    await post(`/api/users/${encodeURIComponent(state.user)}/conversations/${encodeURIComponent(conversation.id)}/read`, { seqId: newest });
  }
}

function onLive(message) {
  if (message.seqId <= state.lastSeqId) {
    return;
  }

  state.lastSeqId = message.seqId;
  const conversation = state.conversations.find((c) => c.id === message.convId);
  if (!conversation) {
    return;
  }

  conversation.last = message;
  if (message.convId === state.conv) {
    const pane = $('history');
    const atBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 40;
    insertMessage(message);
    if (atBottom || message.senderId === state.user) {
      pane.scrollTop = pane.scrollHeight;
    }

    markRead(conversation).catch(showError);
  } else {
    if (message.senderId !== state.user) {
      conversation.unread += 1;
    }

    renderConversations();
  }
}

async function connect() {
  if (!state.wantOnline || state.connection) {
    return;
  }

  const connection = new signalR.HubConnectionBuilder().withUrl('/hub').build();
  state.connection = connection;
  connection.onclose(() => {
    state.connection = null;
    setStatus(state.wantOnline ? 'reconnecting' : 'offline');
    if (state.wantOnline) {
      setTimeout(connect, 1000);
    }
  });

  try {
    await connection.start();
  } catch {
    state.connection = null;
    setStatus('reconnecting');
    setTimeout(connect, 2000);
    return;
  }

  // Catch up from the last SeqId this page has, then stay live.
  connection.stream('Watch', state.user, state.lastSeqId).subscribe({
    next: onLive,
    error: () => connection.stop(),
    complete: () => connection.stop(),
  });
  setStatus('live');
}

$('toggle-connection').addEventListener('click', () => {
  state.wantOnline = !state.wantOnline;
  $('toggle-connection').textContent = state.wantOnline ? 'Disconnect' : 'Reconnect';
  if (state.wantOnline) {
    setStatus('reconnecting');
    connect();
  } else if (state.connection) {
    state.connection.stop();
  }
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('text');
  try {
    const message = await post(`/api/conversations/${encodeURIComponent(state.conv)}/messages`, { userId: state.user, text: input.value });
    input.value = '';
    showError(null);
    insertMessage(message);
    $('history').scrollTop = $('history').scrollHeight;
  } catch (error) {
    showError(error);
  }
});

$('older').addEventListener('click', () => loadOlder().catch(showError));
$('history').addEventListener('scroll', () => {
  if ($('history').scrollTop === 0) {
    loadOlder().catch(showError);
  }
});

(state.user ? showChat() : showPicker()).catch(showError);
