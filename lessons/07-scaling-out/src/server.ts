// The only file that opens a port: a cluster of workers behind a sticky
// primary (WORKERS=3 by default), or, with WORKERS=0, one process of several
// behind a proxy. REDIS_URL puts the adapter and the sessions on Redis.
import { scaledApp, startPrimary } from './scale.ts';
import { describeSetup, setupFrom } from './setup.ts';

try {
  const setup = setupFrom(process.env);
  // #region listen
  if (setup.workers === 0) {
    const { httpServer } = await scaledApp(setup);
    await new Promise<void>((resolve) => httpServer.listen(setup.port, resolve));
  } else {
    await startPrimary(setup);
  }
  console.log(`Listening on http://localhost:${setup.port}: ${describeSetup(setup)}`);
  // #endregion listen
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
