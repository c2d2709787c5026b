// The only file that opens a port.
import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? 3000);
const { httpServer } = createApp();

httpServer.listen(port, () => {
  console.log(`Listening on http://localhost:${port}`);
});
