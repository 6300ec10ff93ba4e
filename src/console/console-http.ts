import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { digestsEqual } from '../auth/secrets.js';
import { LingoError } from '../errors/lingo-error.js';
import type { ConsoleSession } from './console-auth.js';

/** Exact, on every /console response: scripts and styles only from our own bundle, no inline anything. */
export const consoleCsp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export const consoleSecurityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': consoleCsp,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export const sessionCookieName = 'lingo_console';
export const csrfHeader = 'x-console-csrf';

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(consoleSecurityHeaders)) res.setHeader(k, v);
}

/** The session id of the request's cookie (the first one of our name), if any. */
export function sessionIdOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === sessionCookieName) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** TLS on this socket, or a proxy in front that says the client used https. */
export function cameOverTls(req: IncomingMessage): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  const proto = req.headers['x-forwarded-proto'];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** Path=/console: the cookie is never even sent to /open-apis. */
export function sessionCookie(req: IncomingMessage, sessionId: string, maxAgeSeconds: number): string {
  return `${sessionCookieName}=${sessionId}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${cameOverTls(req) ? '; Secure' : ''}`;
}

/**
 * Fetch metadata and Origin, when the browser sends them, must say same origin: a page on another
 * site cannot drive the console (sign-in included, against login CSRF). Clients that send neither
 * (curl, scripts) still need the session's CSRF token for any change, which no other site can read.
 */
export function checkSameOrigin(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') throw new LingoError('consoleRequestRefused');
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const host = req.headers.host;
  const expected = `${cameOverTls(req) ? 'https' : 'http'}://${host ?? ''}`;
  if (host === undefined || origin.toLowerCase() !== expected.toLowerCase()) throw new LingoError('consoleRequestRefused');
}

/** Every state-changing request: same origin, and the CSRF token of this very session. */
export function checkStateChange(req: IncomingMessage, session: ConsoleSession): void {
  checkSameOrigin(req);
  const sent = req.headers[csrfHeader];
  if (typeof sent !== 'string' || !/^[0-9a-f]{64}$/.test(sent) || !digestsEqual(sent, session.csrfToken)) throw new LingoError('consoleRequestRefused');
}

export const isSafeMethod = (method: string | undefined): boolean => method === 'GET' || method === 'HEAD';
