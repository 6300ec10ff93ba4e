/**
 * Baseline "json-answer": the least any Lingo JSON route costs on this stack, i.e. node:http
 * reading a JSON request body whole, parsing it with JSON.parse and answering a fixed small JSON
 * envelope. No token, routing, validation, store read or work on the text: lingo-server's
 * highlight route is this plus all of those, so the ratio is what they cost.
 */
import http from 'node:http';
import { announce, flag } from './args.js';

const reply = Buffer.from(JSON.stringify({ code: 0, msg: 'success', data: { phrases: [] } }));
/** lingo-server's cap on a JSON body (src/http/json-request.ts). */
const maxBodyBytes = 256 * 1024;

const server = http.createServer((req, res) => {
  const fail = (status: number): void => {
    res.writeHead(status, { Connection: 'close' }).end();
    req.resume();
  };
  if (req.method !== 'POST') return fail(405);
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    chunks.push(c);
  });
  req.on('end', () => {
    if (size > maxBodyBytes) return fail(400);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return fail(400);
    }
    // The text must be there, as the route demands; nothing is done with it.
    if (typeof (body as { text?: unknown } | null)?.text !== 'string') return fail(400);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': reply.length }).end(reply);
  });
});

server.listen(Number(flag('port', '0')), '127.0.0.1', () => announce(server));
