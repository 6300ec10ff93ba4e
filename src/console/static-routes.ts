import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Route } from '../http/route.js';
import type { ConsoleAuth } from './console-auth.js';
import { sessionIdOf, setSecurityHeaders } from './console-http.js';

/**
 * Where `npm run build` puts the bundle (scripts/build-console.ts): dist/console-web under the
 * package root. Not dist/console, which holds this directory's compiled server code.
 */
export function consoleWebDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5 && !fs.existsSync(path.join(dir, 'package.json')); i++) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'console-web');
}

const types: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

/**
 * The page shell and its hashed assets. Assets are immutable (their names carry their hash);
 * index.html is never cached. Pages other than sign-in need a live session, else 303 to sign-in
 * (the JSON API never redirects: it answers 401).
 */
export function staticRoutes(auth: ConsoleAuth, webDir: string = consoleWebDir()): Route[] {
  const send = (res: ServerResponse, status: number, type: string, body: Buffer | string, cache: string): void => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': cache });
    res.end(body);
  };
  return [
    {
      kind: 'public',
      id: 'console.asset',
      methods: ['GET', 'HEAD'],
      pattern: /^\/console\/assets\/([A-Za-z0-9_.-]+)$/,
      async handle(ctx, [name = '']) {
        setSecurityHeaders(ctx.res);
        const file = path.join(webDir, 'assets', name);
        const type = types[path.extname(name)];
        if (!type || name.startsWith('.') || !fs.existsSync(file)) return send(ctx.res, 404, 'text/plain; charset=utf-8', 'not found', 'no-store');
        send(ctx.res, 200, type, await fs.promises.readFile(file), 'public, max-age=31536000, immutable');
      },
    },
    {
      kind: 'public',
      id: 'console.page',
      methods: ['GET', 'HEAD'],
      pattern: /^\/console(?:\/(?!api\/|assets\/).*)?$/,
      async handle(ctx) {
        setSecurityHeaders(ctx.res);
        if (ctx.pathname !== '/console/sign-in' && !(await auth.session(sessionIdOf(ctx.req)))) {
          ctx.res.writeHead(303, { Location: '/console/sign-in', 'Cache-Control': 'no-store', 'Content-Length': 0 });
          ctx.res.end();
          return;
        }
        const index = path.join(webDir, 'index.html');
        if (!fs.existsSync(index)) return send(ctx.res, 503, 'text/plain; charset=utf-8', 'The console is not built: run `npm run build`.\n', 'no-store');
        send(ctx.res, 200, 'text/html; charset=utf-8', await fs.promises.readFile(index), 'no-cache');
      },
    },
  ];
}
