// A standalone aedes broker on a given port, for the uplink benchmark when Mosquitto is not
// installed: `node --import tsx bench/support/aedes-server.ts <port>`; prints "ready".
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2]);
const broker = new Aedes();
await broker.listen();
const server = createServer((socket) => {
  socket.on('error', () => {});
  broker.handle(socket);
});
server.listen(port, '127.0.0.1', () => console.log('ready'));
