// The local target of bench/checks.ts, in its own process: HTTP on 127.0.0.1 answering 200 "ok"
// with `Connection: close` (every probe opens a new connection, for Steward and the baseline
// alike), and a TCP port that accepts and closes. Prints {"http":PORT,"tcp":PORT} once
// listening; exits when its stdin closes (so it never outlives the benchmark).
import http from 'node:http';
import net from 'node:net';

const web = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2', connection: 'close' });
  res.end('ok');
});
const tcp = net.createServer((socket) => {
  socket.on('error', () => {});
  socket.end();
});
web.on('clientError', (_err, socket) => socket.destroy());

const listen = (server) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve(server.address().port));
  });

const [httpPort, tcpPort] = await Promise.all([listen(web), listen(tcp)]);
process.stdout.write(`${JSON.stringify({ http: httpPort, tcp: tcpPort })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
