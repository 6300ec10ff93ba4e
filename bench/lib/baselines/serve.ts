/**
 * Baseline "serve": node:http streaming one file from disk with its Content-Type and
 * Content-Length, opening and stat-ing it per request the way a static file server does. It is
 * what lingo-server's download is minus the token check, the row lookup and the extra headers.
 */
import fsp from 'node:fs/promises';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { announce, flag } from './args.js';

const file = flag('file');
const contentType = flag('content-type');

const server = http.createServer((req, res) => {
  if (req.method !== 'GET') {
    res.writeHead(405).end();
    return;
  }
  void (async () => {
    const fh = await fsp.open(file, 'r');
    try {
      const { size } = await fh.stat();
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': size });
    } catch (err) {
      await fh.close();
      throw err;
    }
    // The stream owns the handle from here and closes it at end or on error.
    await pipeline(fh.createReadStream(), res);
  })().catch(() => {
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  });
});

server.listen(Number(flag('port', '0')), '127.0.0.1', () => announce(server));
