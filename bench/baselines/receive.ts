/**
 * Baseline "receive": the least a Node server must do to accept an upload, i.e. node:http plus
 * the same multipart parser lingo-server uses, with every byte discarded. lingo-server's upload
 * path is this plus validation, hashing, a durable write and a row; the ratio shows their cost.
 */
import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import http from 'node:http';
import { announce, flag } from './args.js';

const reply = Buffer.from(JSON.stringify({ code: 0, msg: 'success', data: { file_token: 'boxbcBaselineReceive0000000' } }));

const server = http.createServer((req, res) => {
  const fail = (status: number): void => {
    res.writeHead(status, { Connection: 'close' }).end();
    req.resume();
  };
  if (req.method !== 'POST') return fail(405);
  let busboy: BusboyInstance;
  try {
    busboy = new Busboy({ headers: req.headers as BusboyHeaders });
  } catch {
    return fail(400);
  }
  busboy.on('file', (_field, stream) => stream.resume());
  busboy.on('finish', () => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': reply.length }).end(reply);
  });
  busboy.on('error', () => fail(400));
  req.pipe(busboy);
});

server.listen(Number(flag('port', '0')), '127.0.0.1', () => announce(server));
