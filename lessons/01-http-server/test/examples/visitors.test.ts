// The worked example of lesson 1's page, proven: never graded.
import { closeAll, createClient, nextEvent, startLesson } from '@lessons/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createVisitorsApp } from '../../examples/visitors.ts';

afterEach(closeAll);

describe('the visitors example', () => {
  it('answers GET /time with JSON, and serves public/ under /files', async () => {
    const lesson = await startLesson(createVisitorsApp);
    const time = await fetch(`${lesson.url}/time`);
    expect(time.status).toBe(200);
    expect(new Date((await time.json()).now).getTime()).not.toBeNaN();
    const page = await fetch(`${lesson.url}/files/index.html`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/socket.io/socket.io.min.js">');
    expect((await fetch(`${lesson.url}/`)).status).toBe(404); // nothing is mounted at /
  });

  it('counts the requests that reach Express, and none of those Socket.IO takes first', async () => {
    const lesson = await startLesson(createVisitorsApp);
    await fetch(`${lesson.url}/time`);
    await fetch(`${lesson.url}/no-such-page`);
    expect(lesson.requests()).toBe(2);
    expect((await fetch(`${lesson.url}/socket.io/?EIO=4&transport=polling`)).status).toBe(200);
    expect((await fetch(`${lesson.url}/socket.io/socket.io.min.js`)).status).toBe(200);
    expect(lesson.requests()).toBe(2);
  });

  it('tells each new client how many clients are connected, itself included', async () => {
    const lesson = await startLesson(createVisitorsApp);
    const first = createClient(lesson, { transport: 'websocket' });
    expect(await nextEvent(first, 'visitors')).toEqual([{ count: 1 }]);
    const second = createClient(lesson, { transport: 'websocket' });
    expect(await nextEvent(second, 'visitors')).toEqual([{ count: 2 }]);
  });
});
