// The only file that opens a port.
import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? 3000);
const { httpServer } = createApp();

// #region listen
// Listen on the server Socket.IO is attached to, never on a new one from app.listen().
httpServer.listen(port, () => {
  console.log(`Listening on http://localhost:${port}`);
});
// #endregion listen
