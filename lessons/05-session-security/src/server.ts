// The only file that opens a port.
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { type Config, ConfigError, readConfig } from './config.ts';

// #region start
let config: Config;
try {
  config = readConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
for (const warning of config.warnings) console.warn(warning);

const { httpServer } = createApp(config.options);
// Bound to config.host (127.0.0.1 unless HOST says otherwise), not to every interface.
httpServer.listen(config.port, config.host, () => {
  const { port } = httpServer.address() as AddressInfo;
  console.log(`Listening on http://localhost:${port} (bound to ${config.host}; HOST changes it)`);
});
// #endregion start
