// Relative: VitePress bundles a data loader as it does its config, and leaves
// packages to Node, which cannot load a .ts file.
import {
  DISCONNECTS,
  describeVia,
  EMITS,
  PEOPLE,
  ROOMS,
  type Row,
  SENDER,
} from '../../lessons/04-broadcast/test/who-receives.ts';

export interface WhoReceivesRow {
  call: string;
  reaches: string;
  /** One entry per person of the scene, in PEOPLE order. */
  receives: boolean[];
  /** The app's event that makes this call in lesson 4, or '' for a call made on the server. */
  via: string;
}

export interface WhoReceivesData {
  /** The sender, as prose writes the name. */
  sender: string;
  /** Each name as prose writes it: `ana` in the tests is Ana on the page. */
  people: { name: string; rooms: string[] }[];
  emits: WhoReceivesRow[];
  disconnects: WhoReceivesRow[];
}

declare const data: WhoReceivesData;

export { data };

const label = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

const toRow = ({ call, reaches, receivers, via }: Row): WhoReceivesRow => ({
  call,
  reaches,
  receives: PEOPLE.map((name) => receivers.includes(name)),
  via: describeVia(via),
});

// The rows come from the module lesson 4's tests run, row by row
// (lessons/04-broadcast/test/who-receives.test.ts): the page shows no row
// that the tests do not check.
export default {
  watch: ['../../lessons/04-broadcast/test/who-receives.ts'],
  load(): WhoReceivesData {
    return {
      sender: label(SENDER),
      people: PEOPLE.map((name) => ({ name: label(name), rooms: ROOMS[name] })),
      emits: EMITS.map(toRow),
      disconnects: DISCONNECTS.map(toRow),
    };
  },
};
