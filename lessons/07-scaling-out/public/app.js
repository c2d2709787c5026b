// The demo page's script: log in, connect, and show which worker holds this
// tab's socket and which worker each message came through.
const $ = (id) => document.getElementById(id);

let socket;

function connect() {
  socket = io();
  socket.on('connect', () => {
    $('status').textContent = `connected over ${socket.io.engine.transport.name}`;
  });
  socket.on('disconnect', (reason) => {
    $('status').textContent = `disconnected (${reason})`;
  });
  socket.on('connect_error', (error) => {
    $('status').textContent = `refused: ${error.message}`;
  });
  socket.on('welcome', async ({ username, worker }) => {
    $('worker').textContent = String(worker);
    $('who').textContent = username;
    $('chat').hidden = false;
    $('login-form').hidden = true;
    const reply = await socket.emitWithAck('workers');
    if (reply.workers) $('workers').textContent = `(workers: ${reply.workers.join(', ')})`;
  });
  socket.on('said', ({ from, text, worker }) => {
    const item = document.createElement('li');
    // textContent, never innerHTML: a message is another user's text, not markup.
    item.textContent = `${from} (worker ${worker}): ${text}`;
    $('messages').append(item);
  });
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: $('username').value }),
  });
  const body = await response.json();
  $('login-error').textContent = response.ok ? '' : body.error;
  if (response.ok) connect();
});

$('chat-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const reply = await socket.emitWithAck('say', { text: $('message').value });
  $('chat-error').textContent = reply.error ?? '';
  if (!reply.error) $('message').value = '';
});

// Logged in already (a reload): connect at once.
fetch('/me').then((response) => {
  if (response.ok) connect();
});
