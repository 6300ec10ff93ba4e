import path from 'node:path';

/**
 * Server configuration. Loaded once (defaults < environment < flags), validated, frozen and passed
 * down in slices; no module reads process.env on its own.
 */
export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  rateLimit: RateLimitConfig;
  http: HttpTimeoutsConfig;
  blobStore: BlobStoreConfig;
  metaStore: MetaStoreConfig;
}

/** Per API × app × tenant. 0 disables a window. */
export interface RateLimitConfig {
  perSecond: number;
  perMinute: number;
}

export interface HttpTimeoutsConfig {
  /** Time allowed for a client to send the request headers. */
  headersTimeoutMs: number;
  /** Longest silence on a connection while a body is expected. */
  idleTimeoutMs: number;
  /** Whole-request deadline, body included (a 10 MiB upload at 100 KiB/s takes ~100 s). */
  requestTimeoutMs: number;
  /** How long SIGTERM waits for in-flight requests before closing stores. */
  shutdownGraceMs: number;
}

/** Files under `root`; blobs up to `segmentBlobMaxBytes` appended to segments in `root/segments/` (0: never). */
export type BlobStoreConfig = { kind: 'fs'; root: string; segmentBlobMaxBytes: number };

/** Most Lingo entry images are well under this; above it a file's own fsync costs little extra. */
export const defaultPackMaxBytes = 256 * 1024;
export type MetaStoreConfig = { kind: 'sqlite'; path: string };

export const defaultRateLimit: RateLimitConfig = { perSecond: 50, perMinute: 1000 };

export const defaultHttpTimeouts: HttpTimeoutsConfig = {
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  shutdownGraceMs: 20_000,
};

export interface ConfigInput {
  host?: string | undefined;
  port?: string | number | undefined;
  dataDir?: string | undefined;
  logLevel?: string | undefined;
  rateLimitPerSecond?: string | number | undefined;
  rateLimitPerMinute?: string | number | undefined;
  packMaxBytes?: string | number | undefined;
  /** HTTP timeouts (ms), for tests and embedders; the defaults suit production. */
  headersTimeoutMs?: string | number | undefined;
  idleTimeoutMs?: string | number | undefined;
  requestTimeoutMs?: string | number | undefined;
  shutdownGraceMs?: string | number | undefined;
}

/** Environment variables users' scripts rely on; each maps onto one flag. */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  return {
    host: env.LINGO_HOST,
    port: env.LINGO_PORT,
    dataDir: env.LINGO_DATA_DIR,
    logLevel: env.LINGO_LOG_LEVEL,
    rateLimitPerSecond: env.LINGO_RATE_LIMIT_PER_SECOND,
    rateLimitPerMinute: env.LINGO_RATE_LIMIT_PER_MINUTE,
    packMaxBytes: env.LINGO_PACK_MAX_BYTES,
    headersTimeoutMs: env.LINGO_HEADERS_TIMEOUT_MS,
    idleTimeoutMs: env.LINGO_IDLE_TIMEOUT_MS,
    requestTimeoutMs: env.LINGO_REQUEST_TIMEOUT_MS,
    shutdownGraceMs: env.LINGO_SHUTDOWN_GRACE_MS,
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Later layers win over earlier ones, key by key; undefined means "not given". */
export function mergeInputs(...layers: ConfigInput[]): ConfigInput {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) if (v !== undefined && v !== '') out[k] = v;
  }
  return out as ConfigInput;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function resolveDataDir(dataDir: string | undefined): string {
  return path.resolve(dataDir ?? './data');
}

export function buildConfig(input: ConfigInput): Readonly<ServerConfig> {
  const dataDir = resolveDataDir(input.dataDir);
  const logLevel = input.logLevel ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`log level must be one of ${logLevels.join(', ')}, got "${logLevel}"`);
  }
  const config: ServerConfig = {
    host: input.host ?? '127.0.0.1',
    port: integerIn('port', input.port ?? 8080, 0, 65535),
    dataDir,
    logLevel: logLevel as ServerConfig['logLevel'],
    rateLimit: {
      perSecond: integerIn('rate limit per second', input.rateLimitPerSecond ?? defaultRateLimit.perSecond, 0, 1e9),
      perMinute: integerIn('rate limit per minute', input.rateLimitPerMinute ?? defaultRateLimit.perMinute, 0, 1e9),
    },
    http: httpTimeouts(input),
    blobStore: {
      kind: 'fs',
      root: path.join(dataDir, 'blobs'),
      segmentBlobMaxBytes: integerIn('pack max bytes', input.packMaxBytes ?? defaultPackMaxBytes, 0, 1024 * 1024),
    },
    metaStore: { kind: 'sqlite', path: path.join(dataDir, 'lingo.sqlite') },
  };
  return deepFreeze(config);
}

function httpTimeouts(input: ConfigInput): HttpTimeoutsConfig {
  const d = defaultHttpTimeouts;
  const day = 24 * 3600 * 1000;
  const http: HttpTimeoutsConfig = {
    headersTimeoutMs: integerIn('headers timeout (ms)', input.headersTimeoutMs ?? d.headersTimeoutMs, 1, day),
    idleTimeoutMs: integerIn('idle timeout (ms)', input.idleTimeoutMs ?? d.idleTimeoutMs, 1, day),
    requestTimeoutMs: integerIn('request timeout (ms)', input.requestTimeoutMs ?? d.requestTimeoutMs, 1, day),
    shutdownGraceMs: integerIn('shutdown grace (ms)', input.shutdownGraceMs ?? d.shutdownGraceMs, 0, day),
  };
  // node:http refuses a headers deadline later than the whole-request deadline.
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    throw new ConfigError(`headers timeout (${http.headersTimeoutMs} ms) must not exceed the request timeout (${http.requestTimeoutMs} ms)`);
  }
  return http;
}

export function integerIn(what: string, value: string | number, min: number, max: number): number {
  const n = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${what} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
