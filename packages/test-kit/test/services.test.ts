import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../index.ts';
import { requireBinary } from '../requires.ts';
import { redisCommand, startNginx, startRedis } from '../services.ts';

describe('startRedis()', () => {
  const redisServer = requireBinary('redis-server');

  it('starts redis-server on a free loopback port without persistence, and stops it', async () => {
    const redis = await startRedis(redisServer());
    onTestFinished(() => redis.stop());
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redisCommand(redis.port, 'PING')).toBe('+PONG');
    expect(await redisCommand(redis.port, 'CONFIG GET save')).toBe('*2');
    await redis.stop();
    expect(redis.child.exitCode ?? redis.child.signalCode).not.toBeNull();
  });

  it('keeps its data across a restart on the same port with appendOnly', async () => {
    const first = await startRedis(redisServer(), { appendOnly: true });
    onTestFinished(() => first.stop());
    expect(await redisCommand(first.port, 'SET kept yes')).toBe('+OK');
    const again = await first.restart();
    onTestFinished(() => again.stop());
    expect(again.port).toBe(first.port);
    expect(await redisCommand(again.port, 'GET kept')).toBe('$3');
  });
});

describe('startNginx()', () => {
  const nginx = requireBinary('nginx');

  it('runs nginx in the foreground with the config given, until stopped', async () => {
    const backend = createServer((_req, res) => res.end('from the backend'));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => backend.close(() => resolve())));
    const { port: backendPort } = backend.address() as { port: number };
    const port = await freePort();
    const config = `events {}
http {
  access_log off;
  client_body_temp_path body; proxy_temp_path proxy; fastcgi_temp_path fastcgi;
  uwsgi_temp_path uwsgi; scgi_temp_path scgi;
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${backendPort}; } }
}`;
    const proxy = await startNginx(nginx(), config, port);
    onTestFinished(() => proxy.stop());
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe('from the backend');
    await proxy.stop();
    expect(proxy.child.exitCode ?? proxy.child.signalCode).not.toBeNull();
  });
});
