import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import http from 'node:http';

/**
 * The part the upload baselines share: node:http plus the multipart parser lingo-server uses.
 * `keep`: collect the file parts' chunks (else they are discarded as they arrive); `onBody` gets
 * them at the end of the body and calls `done` when the answer may go out.
 */
export function uploadServer(reply: Buffer, keep: boolean, onBody: (chunks: Buffer[], done: (err: Error | null) => void) => void): http.Server {
  return http.createServer((req, res) => {
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
    const chunks: Buffer[] = [];
    busboy.on('file', (_field, stream) => (keep ? stream.on('data', (c: Buffer) => chunks.push(c)) : stream.resume()));
    busboy.on('finish', () =>
      onBody(chunks, (err) => {
        if (err) return fail(500);
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': reply.length }).end(reply);
      }),
    );
    busboy.on('error', () => fail(400));
    req.pipe(busboy);
  });
}
