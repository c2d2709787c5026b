// Relative paths: VitePress bundles a data loader as it does its config, and
// leaves packages to Node, which cannot load a .ts file.
import { explain, traceSession } from '../../lessons/08-protocol/examples/engine-io.ts';
import { createApp } from '../../lessons/08-protocol/src/app.ts';
import { Kit } from '../../packages/test-kit/index.ts';

export interface ProtocolData {
  /** One line per frame: who sent it, on which transport, and what it is. */
  trace: string[];
}

declare const data: ProtocolData;

export { data };

// Captured from lesson 8's server at every build: the frames on the page are
// the frames the server sends, not what someone remembered it sends.
export default {
  watch: ['../../lessons/08-protocol/src/*.ts', '../../lessons/08-protocol/examples/*.ts'],
  async load(): Promise<ProtocolData> {
    const kit = new Kit();
    const lesson = await kit.startLesson(createApp);
    try {
      const frames = await traceSession(lesson.url);
      const trace = frames.map(({ from, transport, frame }) => {
        const arrow = from === 'server' ? '←' : '→';
        // The open packet's JSON is long: one field per line reads better.
        const text = explain(frame).replace(/,"/g, ',\n      "');
        return `${arrow} ${transport.padEnd(9)} ${text}`;
      });
      return { trace };
    } finally {
      await kit.close();
    }
  },
};
