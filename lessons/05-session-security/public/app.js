// The demo page's script. It lives in its own file because the server's
// Content-Security-Policy (script-src 'self') refuses inline scripts.
const $ = (id) => document.getElementById(id);
// textContent, never innerHTML: a message is text from another user, not markup.
const append = (list, text) => {
  const item = document.createElement('li');
  item.textContent = text;
  $(list).append(item);
};
const log = (text) => append('log', `${new Date().toLocaleTimeString()} ${text}`);
const setStatus = (text, connected) => {
  $('status').textContent = text;
  $('status').className = connected ? 'connected' : 'disconnected';
};

let socket;

function showChat(username) {
  $('who').textContent = username;
  $('chat').hidden = false;
  $('login-form').hidden = true;
}

function showLogin() {
  $('chat').hidden = true;
  $('login-form').hidden = false;
}

// The session cookie is HttpOnly: this script never sees it. The browser
// sends it with the handshake because the page and the socket share an origin.
function connect() {
  socket = io({ reconnection: false });
  socket.on('connect', () => {
    setStatus('connected', true);
    log(`connect over ${socket.io.engine.transport.name}`);
  });
  socket.on('welcome', ({ username }) => {
    log(`welcome ${username}`);
    showChat(username);
  });
  socket.on('chat', ({ from, text }) => append('messages', `${from}: ${text}`));
  socket.on('connect_error', (error) => {
    setStatus(`refused: ${error.message}`, false);
    log(`connect_error: ${error.message}`);
  });
  socket.on('disconnect', (reason) => {
    setStatus(`disconnected (${reason})`, false);
    log(`disconnect: ${reason}`);
    showLogin();
  });
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  const response = await fetch('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: $('username').value, password: $('password').value }),
  });
  const body = await response.json();
  if (!response.ok) {
    $('login-error').textContent = body.error;
    return;
  }
  $('password').value = '';
  log(`logged in as ${body.username}: a new session cookie`);
  socket?.close();
  connect();
});

$('chat-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('message').value;
  const result = await socket.timeout(5000).emitWithAck('chat', text);
  $('chat-error').textContent = result.error ?? '';
  if (result.ok) $('message').value = '';
});

// The server ends the session and disconnects its sockets; 'disconnect' shows it.
$('logout').addEventListener('click', async () => {
  await fetch('/logout', { method: 'POST' });
  log('logged out');
});

// Already logged in (a reload)? Then the cookie is still good: connect at once.
fetch('/me').then((response) => {
  if (response.ok) connect();
});
