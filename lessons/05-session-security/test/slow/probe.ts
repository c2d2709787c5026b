// Loaded into server.ts's process by the slow tests (node --expose-gc --import):
// on the message 'measure', collects garbage and answers with the memory in use.
process.on('message', (message) => {
  if (message !== 'measure') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('Start the server with --expose-gc');
  gc();
  gc(); // a second pass frees what the first one's finalizers released
  const { heapUsed, rss } = process.memoryUsage();
  process.send?.({ heapUsed, rss });
});
