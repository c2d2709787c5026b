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
  // TODO(client): open the socket with auth as a function that sends { token, serverOffset }
  // (the offset of the last chat received), retries 5 and ackTimeout 2000; keep client.offset
  // up to date from every chat, and return the client. Until then, chatClient() throws.
  void [open, token];
  throw new Error('not implemented: chatClient (TODO client)');
  // #endregion exercise-client
}
