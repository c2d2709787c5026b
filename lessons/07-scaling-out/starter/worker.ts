// A cluster worker, forked by the primary (see startPrimary in scale.ts).
import { serveInWorker } from './scale.ts';
import { setupFrom } from './setup.ts';

try {
  await serveInWorker(setupFrom(process.env));
  process.send?.({ type: 'ready' });
} catch (error) {
  process.send?.({ type: 'failed', error: (error as Error).message });
  process.exit(1);
}
