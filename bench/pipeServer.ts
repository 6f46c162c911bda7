// The baseline for bench:upload: a bare Node server that pipes a request body to a file and streams it back.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.argv[2]!;
const file = path.join(dir, 'baseline.bin');
const server = http.createServer((req, res) => {
  const handle = async () => {
    if (req.method === 'POST' || req.method === 'PUT') {
      await pipeline(req, fs.createWriteStream(file));
      res.end('ok');
    } else {
      const { size } = fs.statSync(file);
      res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
      await pipeline(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), res);
    }
  };
  handle().catch((error: Error) => {
    console.error(`baseline ${req.method}: ${error.message}`);
    res.destroy();
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as import('node:net').AddressInfo).port }));
});
