// Relative paths: VitePress bundles a data loader as it does its config, and
// leaves packages to Node, which cannot load a .ts file.
import { createApp } from '../../lessons/01-http-server/src/app.ts';
import { Kit } from '../../packages/test-kit/index.ts';
import {
  acceptFor,
  captureHandshake,
  type Handshake,
  WEBSOCKET_GUID,
} from '../.vitepress/handshake.ts';

export interface HandshakeData extends Handshake {
  guid: string;
  /** base64(SHA-1(key + GUID)), computed here, to compare with the server's answer. */
  computedAccept: string;
}

declare const data: HandshakeData;

export { data };

// Captured from lesson 1's server at every build: the page shows what the
// server really answers, not what someone remembered it answers.
export default {
  watch: ['../../lessons/01-http-server/src/*.ts', '../.vitepress/handshake.ts'],
  async load(): Promise<HandshakeData> {
    const kit = new Kit();
    const { httpServer } = await kit.startLesson(createApp);
    try {
      const handshake = await captureHandshake(httpServer);
      const computedAccept = acceptFor(handshake.key);
      if (computedAccept !== handshake.accept) {
        throw new Error(
          `Sec-WebSocket-Accept ${handshake.accept} does not match ${computedAccept}`,
        );
      }
      return { ...handshake, guid: WEBSOCKET_GUID, computedAccept };
    } finally {
      await kit.close();
    }
  },
};
