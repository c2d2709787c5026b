// The events of lesson 1, shared by the server, the demo clients and the tests.

export interface ServerToClientEvents {
  welcome: (payload: { id: string }) => void;
}

// Lesson 1's clients send nothing; later lessons fill this in.
export type ClientToServerEvents = Record<string, never>;
