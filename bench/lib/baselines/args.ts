import type { Server } from 'node:http';

/** `--key value` from argv; the baselines take two or three flags, not worth a parser. */
export function flag(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) {
    process.stderr.write(`missing --${name}\n`);
    process.exit(2);
  }
  return value;
}

/** Prints the line bench/lib/servers.ts waits for, and exits cleanly on SIGTERM like lingo-server. */
export function announce(server: Server): void {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
