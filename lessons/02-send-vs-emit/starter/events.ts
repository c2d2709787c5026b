// The events of lesson 2, shared by the server, the demo clients and the tests.

/** What the server acknowledges to `sum`: the total, or why there is none. */
export type SumResult = { sum: number } | { error: string };

export interface ClientToServerEvents {
  /** What `socket.send(data)` emits: `send` is `emit('message', …)`. */
  message: (data: unknown) => void;
  /** Any number of arguments of any serializable kind, binary included. */
  eventName: (...args: unknown[]) => void;
  /** An array of numbers, and the callback the server answers. */
  sum: (numbers: number[], ack: (result: SumResult) => void) => void;
}

export interface ServerToClientEvents {
  /** The server's `socket.send(data)`: the echo of a client's `message`. */
  message: (data: unknown) => void;
  /** The arguments of a client's `eventName`, in order. */
  greetings: (...args: unknown[]) => void;
  /** The server asks; the client answers through the callback. */
  whoareyou: (ack: (answer: string) => void) => void;
}
