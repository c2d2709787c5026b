// Sends `count` concurrent POST /login requests from `address`, each on its own
// connection; prints "sent" once all are written, then the count of each status.
// A process of its own, so that the test process that measures is not the one
// busy sending: usage: node flood.mjs <url> <count> <address> <json body>
import { request } from 'node:http';

const [url, count, localAddress, body] = process.argv.slice(2);
const statuses = {};
let pending = Number(count);
for (let i = 0; i < Number(count); i++) {
  const req = request(
    `${url}/login`,
    { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json' } },
    (res) => {
      res.resume();
      res.on('end', () => {
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (--pending === 0) console.log(JSON.stringify(statuses));
      });
    },
  );
  req.on('error', (error) => {
    statuses[error.code] = (statuses[error.code] ?? 0) + 1;
    if (--pending === 0) console.log(JSON.stringify(statuses));
  });
  req.end(body);
}
console.log('sent');
