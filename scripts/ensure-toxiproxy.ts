/** Part of `npm run test:faults`: finds or builds toxiproxy-server and prints its path, or exits 1 with one line saying how to get it. */
import { resolveToxiproxyServer } from './toxiproxy/toxiproxy-server';

resolveToxiproxyServer()
  .then((binary) => console.error(`toxiproxy-server: ${binary}`))
  .catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
