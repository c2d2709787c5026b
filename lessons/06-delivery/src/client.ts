// The chat client's side of the guarantees: how it connects, resends and catches up.
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import type { ChatAuth, ClientToServerEvents, ServerToClientEvents } from './events.ts';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ClientOptions = Partial<ManagerOptions & SocketOptions>;

/** How a client's auth function hands the server its auth, at each connection. */
export type SendAuth = (auth: ChatAuth) => void;

/** A chat client: its socket, and the offset of the last message it received. */
export interface ChatClient {
  socket: ChatSocket;
  offset: number;
}

/**
 * Connect a chat client through `open` (which calls io(url, options), or a
 * test kit's createClient) with the options that make delivery reliable.
 *
 * @example
 * const client = chatClient((options) => io(url, options), 'token-ana');
 * await client.socket.emitWithAck('chat', { room: 'general', id: randomUUID(), text: 'hi' });
 */
export function chatClient(
  open: (options: ClientOptions) => ChatSocket,
  token: string,
): ChatClient {
  // #region exercise-client
  const client: ChatClient = { socket: undefined as unknown as ChatSocket, offset: 0 };
  client.socket = open({
    // A function, called at every (re)connection, so the offset is the latest.
    auth: (send: SendAuth) => send({ token, serverOffset: client.offset }),
    // Resend an emit the server has not acknowledged within ackTimeout,
    // up to `retries` times, then reject: the server may receive it twice.
    retries: 5,
    ackTimeout: 2000,
  });
  // Registered once, not in a 'connect' handler: that would add one more per reconnection.
  client.socket.on('chat', (message) => {
    client.offset = message.offset;
  });
  return client;
  // #endregion exercise-client
}
