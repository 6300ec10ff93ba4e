import { setTimeout as sleepMs } from 'node:timers/promises';
import { ConfigError } from '../config/config.js';
import { ClientRunFailed } from './client-options.js';
import { ApiError, asEnvelope, retryableCode, staleTokenCodes } from './api-error.js';

export interface ServerCredentials {
  server: string;
  appId: string;
  appSecret: string;
}

/** How hard the client tries before a request counts as failed. Every loop below is bounded by it. */
export interface RetryPolicy {
  /** Further attempts after a 500 2250002 (or a 502/503/504 from a proxy), and after a lost connection. */
  serverRetries: number;
  /** The first backoff; each next one doubles, up to `maxBackoffMs` (half of each is random jitter). */
  firstBackoffMs: number;
  maxBackoffMs: number;
  /** 429 answers waited out per request before giving up. */
  rateLimitWaits: number;
  /** The longest `x-ogw-ratelimit-reset` honoured, so a wild header cannot park the run for hours. */
  maxResetSeconds: number;
  /** Per attempt, body included. */
  attemptTimeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  serverRetries: 5,
  firstBackoffMs: 250,
  maxBackoffMs: 8_000,
  rateLimitWaits: 50,
  maxResetSeconds: 300,
  attemptTimeoutMs: 120_000,
};

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  query?: Record<string, string | undefined>;
  json?: unknown;
  /** A multipart body, built afresh for every attempt (a FormData is consumed by sending it). */
  form?: () => FormData;
  /**
   * Safe to send again after a connection broke mid-request: the server may have acted on it.
   * True for reads, full replaces and uploads (a repeat costs an unused blob at worst); false for
   * creates. A 2250002 answer is retried either way: the server says it did not complete.
   */
  repeatable: boolean;
}

/** What the client went through, for the line a command prints before its summary. */
export interface ClientStats {
  rateLimitWaits: number;
  serverRetries: number;
}

const tokenPath = '/open-apis/auth/v3/tenant_access_token/internal';

/**
 * The HTTP side of the client commands: Node's own fetch, a tenant access token fetched once and
 * refreshed before it expires (or when the server calls it stale), 429 waited out for
 * `x-ogw-ratelimit-reset` seconds, and 2250002 retried with exponential backoff. A 429 pauses
 * every request of this client, not only the refused one: the limit is per app, so the other
 * workers would only be refused too.
 */
export class LingoClient {
  readonly stats: ClientStats = { rateLimitWaits: 0, serverRetries: 0 };
  private readonly base: string;
  private token: { value: string; refreshAtMs: number } | undefined;
  private tokenPending: Promise<string> | undefined;
  private pausedUntilMs = 0;

  constructor(
    private readonly creds: ServerCredentials,
    private readonly policy: RetryPolicy = defaultRetryPolicy,
  ) {
    let url: URL;
    try {
      url = new URL(creds.server);
    } catch {
      throw new ConfigError(`--server ${creds.server} is not a URL (e.g. http://127.0.0.1:8080)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`--server must be an http:// or https:// URL, not ${url.protocol}`);
    this.base = url.href.replace(/\/+$/, '');
  }

  /** A JSON operation: its `data` on code 0, else an ApiError. */
  async call<T = Record<string, unknown>>(req: ApiRequest): Promise<T> {
    return (await this.envelopeOf(req, true)).data as T;
  }

  /** A request whose successful body the caller reads itself (a download): the 2xx response. */
  fetchOk(req: ApiRequest): Promise<Response> {
    return this.send(req, true);
  }

  /**
   * Fetches the first tenant token, so that a wrong secret or an unreachable server ends the
   * command at once, with one line, before any work starts.
   */
  async signIn(): Promise<void> {
    try {
      await this.tenantToken();
    } catch (err) {
      throw new ClientRunFailed(`no tenant access token from ${this.base}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The tenant access token, fetched on first use and again shortly before it expires. */
  async tenantToken(): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAtMs) return this.token.value;
    this.tokenPending ??= this.fetchToken().finally(() => (this.tokenPending = undefined));
    return this.tokenPending;
  }

  private async fetchToken(): Promise<string> {
    const body = await this.envelopeOf(
      { method: 'POST', path: tokenPath, json: { app_id: this.creds.appId, app_secret: this.creds.appSecret }, repeatable: true },
      false,
    );
    const { tenant_access_token: value, expire } = body as unknown as { tenant_access_token?: unknown; expire?: unknown };
    if (typeof value !== 'string' || typeof expire !== 'number') throw new ApiError(200, undefined, 'the token answer has no tenant_access_token');
    // Refresh ahead of the expiry (5 minutes, or half the lifetime of a short-lived token).
    const marginSeconds = Math.min(300, expire / 2);
    this.token = { value, refreshAtMs: Date.now() + (expire - marginSeconds) * 1000 };
    return value;
  }

  private async envelopeOf(req: ApiRequest, auth: boolean): Promise<{ code: number; msg: string; data?: unknown }> {
    const res = await this.send(req, auth);
    const body = await readJson(res);
    const env = asEnvelope(body);
    if (!env || env.code !== 0) throw ApiError.of(res.status, body);
    return env;
  }

  private async send(req: ApiRequest, auth: boolean): Promise<Response> {
    let retries = 0;
    let waits = 0;
    let tokenRefreshed = false;
    for (;;) {
      await this.pausedWhileRateLimited();
      const headers: Record<string, string> = {};
      if (auth) headers.Authorization = `Bearer ${await this.tenantToken()}`;
      let res: Response;
      try {
        res = await fetch(this.urlOf(req), { method: req.method, headers, ...bodyOf(req, headers), signal: AbortSignal.timeout(this.policy.attemptTimeoutMs) });
      } catch (err) {
        if (req.repeatable && retries < this.policy.serverRetries) {
          await this.backoff(++retries);
          continue;
        }
        throw new Error(`${req.method} ${req.path}: ${describeFetchError(err)}`, { cause: err });
      }
      if (res.ok) return res;
      const body = await readJson(res);
      const error = ApiError.of(res.status, body);
      if (res.status === 429 && waits < this.policy.rateLimitWaits) {
        waits++;
        this.stats.rateLimitWaits++;
        this.pauseFor(resetSecondsOf(res.headers, this.policy.maxResetSeconds));
        continue;
      }
      const serverBusy = error.code === retryableCode || (error.code === undefined && [502, 503, 504].includes(res.status));
      if (serverBusy && retries < this.policy.serverRetries) {
        await this.backoff(++retries);
        continue;
      }
      if (auth && !tokenRefreshed && error.code !== undefined && staleTokenCodes.has(error.code)) {
        tokenRefreshed = true;
        this.token = undefined;
        continue;
      }
      throw error;
    }
  }

  private urlOf(req: ApiRequest): string {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) query.set(k, v);
    const qs = query.toString();
    return this.base + req.path + (qs ? `?${qs}` : '');
  }

  private async backoff(attempt: number): Promise<void> {
    this.stats.serverRetries++;
    const ceiling = Math.min(this.policy.maxBackoffMs, this.policy.firstBackoffMs * 2 ** (attempt - 1));
    await sleepMs(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private pauseFor(seconds: number): void {
    // A little jitter so that the paused workers do not all arrive in the same millisecond.
    this.pausedUntilMs = Math.max(this.pausedUntilMs, Date.now() + seconds * 1000 + Math.random() * 100);
  }

  private async pausedWhileRateLimited(): Promise<void> {
    // Bounded: each pass sleeps until the pause ends, and a pause only grows on a new 429.
    for (let wait = this.pausedUntilMs - Date.now(); wait > 0; wait = this.pausedUntilMs - Date.now()) await sleepMs(wait);
  }
}

function bodyOf(req: ApiRequest, headers: Record<string, string>): { body?: string | FormData } {
  if (req.form) return { body: req.form() };
  if (req.json === undefined) return {};
  headers['Content-Type'] = 'application/json; charset=utf-8';
  return { body: JSON.stringify(req.json) };
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `x-ogw-ratelimit-reset` (Feishu's), else `Retry-After`, else one second; at most `max`. */
function resetSecondsOf(headers: Headers, max: number): number {
  for (const name of ['x-ogw-ratelimit-reset', 'retry-after']) {
    const value = headers.get(name);
    if (value !== null && /^\d+$/.test(value.trim())) return Math.min(max, Number(value));
  }
  return 1;
}

/** fetch's TypeError says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause. */
function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'no answer in time';
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return detail ? `${err.message} (${detail})` : err.message;
}
