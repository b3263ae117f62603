import { pipeline } from './kv-client.js';
import { startKvServer } from './kv-server.js';

const { port, served } = await startKvServer();
const replies = await pipeline(port, [
  { type: 'put', key: 'color', value: 'verde' },
  { type: 'put', key: 'color', value: 'azul' },
  { type: 'get', key: 'color' },
  { type: 'get', key: 'ciudad' },
]);
for (const reply of replies) console.log(JSON.stringify(reply));
await served.close();
