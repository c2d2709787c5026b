// A scripted scene: one session opened over long-polling, connected to "/",
// upgraded to WebSocket, then one event sent. Every frame is printed with
// who sent it, on which transport, and what it is.
import { serverUrl, waitForServer } from '@lessons/course/demo';
import { explain, traceSession } from '../examples/engine-io.ts';

const url = await waitForServer(serverUrl());
const trace = await traceSession(url);
for (const { from, transport, frame } of trace) {
  const arrow = from === 'server' ? 'server → client' : 'client → server';
  console.log(`${arrow} (${transport.padEnd(9)}): ${explain(frame)}`);
}
console.log(`\nDone. Open ${url} to watch a browser's frames, pings included.`);
