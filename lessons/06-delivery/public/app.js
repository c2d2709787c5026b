// The demo page's client: the options of the lesson's chatClient(), in plain JavaScript.
/* global io */
const $ = (selector) => document.querySelector(selector);
let socket;
let offset = 0;

function show(status) {
  $('#status').textContent = status;
  $('#socket-id').textContent = socket?.id ?? '–';
  $('#offset').textContent = String(offset);
}

$('#connect').addEventListener('submit', (event) => {
  event.preventDefault();
  socket?.disconnect();
  const token = new FormData(event.target).get('token');
  socket = io({
    auth: (send) => send({ token, serverOffset: offset }),
    retries: 5,
    ackTimeout: 2000,
    reconnectionDelay: 200,
  });
  socket.on('connect', async () => {
    $('#recovered').textContent = socket.recovered ? 'yes' : 'no';
    $('#cut').disabled = false;
    show('connected');
    // A new socket asks to join general; the server remembers it and rejoins it after.
    if (!socket.recovered) {
      const reply = await socket.emitWithAck('join', 'general');
      $('#rooms').textContent = reply.rooms?.join(', ') ?? reply.error;
    }
  });
  socket.on('disconnect', (reason) => show(`disconnected (${reason})`));
  socket.on('connect_error', (error) => show(`refused: ${error.message}`));
  socket.on('chat', (message) => {
    offset = message.offset;
    const item = document.createElement('li');
    item.value = message.offset;
    item.textContent = `${message.from}: ${message.text}`;
    $('#messages').append(item);
    show($('#status').textContent);
  });
});

// The same cut as the lesson's tests: close the Engine.IO connection; the client reconnects.
$('#cut').addEventListener('click', () => socket?.io.engine.close());

$('#chat-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('#text').value;
  $('#text').value = '';
  try {
    const reply = await socket.emitWithAck('chat', {
      room: 'general',
      id: crypto.randomUUID(),
      text,
    });
    $('#problem').textContent = reply.error ?? '';
  } catch (error) {
    // Every retry went unanswered: say so, the message may not have arrived.
    $('#problem').textContent = `not sent: ${error.message}`;
  }
});
