// The worked example's tests: not graded, and no exercise's.
import { request } from 'node:http';
import { kitFor, nextEvent } from '@lessons/test-kit';
import { describe, expect, it, type TestContext } from 'vitest';
import { createDeviceWall } from '../../examples/devices.ts';
import { WAIT_MS } from '../helpers.ts';

const PIN = '4321';

async function startWall(context: Pick<TestContext, 'onTestFinished'>, sweepMs?: number) {
  const kit = kitFor(context);
  const devices = new Map([
    ['lobby-key', 'Lobby'],
    ['hall-key', 'Hall'],
  ]);
  const wall = await kit.startLesson(() =>
    createDeviceWall({ pin: PIN, devices, ...(sweepMs ? { sweepMs } : {}) }),
  );
  const screen = (key: string) =>
    kit.createClient(wall, { auth: { key }, transport: 'websocket' as const });
  return { kit, wall, devices, screen };
}

/** A GET of the polling handshake from a chosen local address: its status code. */
function handshakeFrom(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/socket.io/?EIO=4&transport=polling`,
      { localAddress, agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject).end();
  });
}

describe.concurrent('the device wall (examples/devices.ts)', () => {
  it('unlocks a session with the PIN, and only an unlocked session revokes a key', async (context) => {
    const { wall } = await startWall(context);
    const post = (path: string, body: unknown, cookie = '') =>
      fetch(`${wall.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify(body),
      });
    expect((await post('/revoke/hall-key', {})).status, 'revoke before unlocking').toBe(403);
    expect((await post('/unlock', { pin: '0000' })).status, 'a wrong PIN').toBe(401);
    const unlocked = await post('/unlock', { pin: PIN });
    expect(await unlocked.json()).toEqual({ admin: true });
    expect(
      (await post('/revoke/hall-key', {}, unlocked.headers.getSetCookie()[0]?.split(';')[0]))
        .status,
    ).toBe(204);
  });

  it('refuses a screen without a known key with connect_error, and says hello to one with a key', async (context) => {
    const { kit, wall, screen } = await startWall(context);
    const error = await kit.connectError(wall, { auth: { key: 'stolen' } });
    expect(error.message, 'connect_error for an unknown key').toBe('unknown device');
    const lobby = screen('lobby-key');
    expect((await nextEvent(lobby, 'hello', WAIT_MS))[0]).toEqual({ name: 'Lobby' });
  });

  it('refuses every Engine.IO request from another address with 400, and records handshakes only', async (context) => {
    const { wall, screen } = await startWall(context);
    expect(await handshakeFrom(wall.url, '127.0.0.2'), 'a handshake from 127.0.0.2').toBe(400);
    await nextEvent(screen('lobby-key'), 'hello', WAIT_MS);
    expect(wall.handshakes, 'handshakes recorded').toHaveLength(1);
  });

  it('checks every rename, and allows one per device every 5 s whatever the sockets', async (context) => {
    const { screen } = await startWall(context);
    const [first, second] = [screen('lobby-key'), screen('lobby-key')];
    await Promise.all([nextEvent(first, 'hello', WAIT_MS), nextEvent(second, 'hello', WAIT_MS)]);
    const invalid = await first.timeout(WAIT_MS).emitWithAck('rename', { name: 'x' });
    expect(invalid, 'rename with an object').toEqual({ error: expect.any(String) });
    const renamed = nextEvent(second, 'renamed', WAIT_MS);
    expect(await first.timeout(WAIT_MS).emitWithAck('rename', 'Front desk')).toEqual({ ok: true });
    expect((await renamed)[0]).toEqual({ key: 'lobby-key', name: 'Front desk' });
    expect(await second.timeout(WAIT_MS).emitWithAck('rename', 'Entrance')).toEqual({
      error: expect.stringMatching(/^one rename every 5 s: wait [1-5] s$/),
    });
  });

  it('disconnects the screens of a key that leaves the registry, at the next sweep', async (context) => {
    const { devices, screen } = await startWall(context, 50);
    const [hall, lobby] = [screen('hall-key'), screen('lobby-key')];
    await Promise.all([nextEvent(hall, 'hello', WAIT_MS), nextEvent(lobby, 'hello', WAIT_MS)]);
    const gone = nextEvent(hall, 'disconnect', WAIT_MS);
    devices.delete('hall-key');
    expect((await gone)[0], 'why the hall screen was disconnected').toBe('io server disconnect');
    expect(lobby.connected, 'the lobby screen, whose key stays').toBe(true);
  });
});
