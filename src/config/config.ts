import path from 'node:path';
import type { S3Location } from '../storage/s3/s3-client.js';
import { ConfigError } from './config-error.js';
import { readConfigFile, type ConfigFileLayer } from './config-file.js';
import { wholeNumberIn, type Setting } from './setting-kinds.js';
import { settings, type ConfigInput, type SettingValues } from './settings.js';

/**
 * Server configuration. Read once from the settings table (flags > environment > config file > defaults),
 * validated, frozen and passed down in slices; no module reads process.env on its own.
 */
export interface ServerConfig {
  host: string;
  port: number;
  /** 0: GET /metrics on the main port; otherwise only on this one. */
  metricsPort: number;
  dataDir: string;
  logLevel: SettingValues['logLevel'];
  rateLimit: RateLimitConfig;
  http: HttpTimeoutsConfig;
  blobStore: BlobStoreConfig;
  metaStore: MetaStoreConfig;
}

/** Per API × app × tenant. 0 disables a window. */
export interface RateLimitConfig {
  perSecond: number;
  perMinute: number;
  /** Tier 3 (entity and draft create/update). */
  tier3PerMinute: number;
  store: RateLimitStoreConfig;
}

/** Counts in this process, or in Redis for every instance (and what to do while Redis fails). */
export type RateLimitStoreConfig = { kind: 'memory' } | { kind: 'redis'; url: string; onStoreError: RateLimitStoreErrorPolicy };

export type RateLimitStoreErrorPolicy = SettingValues['rateLimitOnStoreError'];

export interface HttpTimeoutsConfig {
  /** Time allowed for a client to send the request headers. */
  headersTimeoutMs: number;
  /** Longest silence on a connection while a body is expected. */
  idleTimeoutMs: number;
  /** Whole-request deadline, body included. */
  requestTimeoutMs: number;
  /** How long SIGTERM waits for in-flight requests before closing stores. */
  shutdownGraceMs: number;
}

/**
 * fs: files under `root`; blobs up to `segmentBlobMaxBytes` appended to segments in `root/segments/` (0: none).
 * s3: objects in a bucket; upload bodies up to `segmentBlobMaxBytes` held in memory until they are
 * PUT, larger ones in `tempDir`; the ledger is in PostgreSQL (the metadata store's database).
 */
export type BlobStoreConfig =
  { kind: 'fs'; root: string; segmentBlobMaxBytes: number } | { kind: 's3'; location: S3Location; tempDir: string; segmentBlobMaxBytes: number };

/** Rows in the data dir's SQLite file, or in a PostgreSQL database shared by every instance. */
export type MetaStoreConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export type { ConfigInput } from './settings.js';

export { ConfigError };

export type SettingSource = 'default' | 'file' | 'env' | 'flag';

/** One setting's effective value and where it came from (for `config print`). */
export interface ResolvedSetting {
  setting: Setting;
  value: unknown;
  source: SettingSource;
}

export interface SettingLayers {
  env?: NodeJS.ProcessEnv;
  flags?: Partial<Record<string, string | number | undefined>>;
  /** The `--config` file's settings (loadConfig reads it; resolveSettings takes it as given). */
  file?: ConfigFileLayer;
}

/** The environment variables of the settings table, by key. */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  return Object.fromEntries(settings.map((s) => [s.key, env[s.env]])) as ConfigInput;
}

/** Later layers win over earlier ones, key by key; undefined or '' means "not given". */
export function mergeInputs(...layers: ConfigInput[]): ConfigInput {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) if (given(v)) out[k] = v;
  }
  return out as ConfigInput;
}

/**
 * Each setting of `table` from the first layer that gives it (flags, environment, config file),
 * else its default; a value that is not allowed throws a ConfigError naming the flag, variable or
 * file key it came from.
 */
export function resolveSettings(layers: SettingLayers, table: readonly Setting[] = settings): ResolvedSetting[] {
  return table.map((setting) => {
    const flag = layers.flags?.[setting.key];
    const env = layers.env?.[setting.env];
    const file = layers.file?.values[setting.key];
    if (given(flag)) return { setting, value: parseOrThrow(setting, flag, setting.flag), source: 'flag' };
    if (given(env)) return { setting, value: parseOrThrow(setting, env, setting.env), source: 'env' };
    if (given(file)) return { setting, value: parseOrThrow(setting, file, layers.file!.origin(setting.key)), source: 'file' };
    const value = setting.parse(setting.default);
    if (value === undefined) throw new Error(`the default of ${setting.flag} (${setting.default}) is not ${setting.allowed}`);
    return { setting, value, source: 'default' };
  });
}

/**
 * The configuration of a command line: `flags` (commander's options) over `env` over the file
 * that --config (LINGO_CONFIG) names, if any, over defaults.
 */
export function loadConfig(layers: SettingLayers): { config: Readonly<ServerConfig>; resolved: ResolvedSetting[] } {
  const resolved = resolveSettings({ ...layers, file: layers.file ?? configFileOf(layers) });
  const given = new Set(resolved.filter((r) => r.source !== 'default').map((r) => r.setting.key));
  return { config: configFromValues(Object.fromEntries(resolved.map((r) => [r.setting.key, r.value])) as SettingValues, given), resolved };
}

function configFileOf(layers: SettingLayers): ConfigFileLayer | undefined {
  const [named] = resolveSettings(
    { env: layers.env, flags: layers.flags },
    settings.filter((s) => s.key === 'config'),
  );
  return typeof named?.value === 'string' && named.value !== '' ? readConfigFile(named.value, settings) : undefined;
}

/** For embedders and tests: `input` over defaults (messages name the flags). */
export function buildConfig(input: ConfigInput): Readonly<ServerConfig> {
  return loadConfig({ flags: input }).config;
}

function configFromValues(v: SettingValues, given: ReadonlySet<string>): Readonly<ServerConfig> {
  // node:http refuses a headers deadline later than the whole-request deadline.
  if (v.headersTimeoutMs > v.requestTimeoutMs) {
    throw new ConfigError(`--headers-timeout-ms (${v.headersTimeoutMs} ms) must not exceed --request-timeout-ms (${v.requestTimeoutMs} ms)`);
  }
  // The same port twice would fail at listen with EADDRINUSE, which does not say which setting to change.
  if (v.metricsPort !== 0 && v.metricsPort === v.port) {
    throw new ConfigError(`--metrics-port (${v.metricsPort}) is --port: give another port, or none to serve /metrics on the main port`);
  }
  const metaStore = metaStoreConfig(v, given.has('meta'));
  return deepFreeze({
    host: v.host,
    port: v.port,
    metricsPort: v.metricsPort,
    dataDir: v.dataDir,
    logLevel: v.logLevel,
    rateLimit: {
      perSecond: v.rateLimitPerSecond,
      perMinute: v.rateLimitPerMinute,
      tier3PerMinute: v.rateLimitWritesPerMinute,
      store: v.redisUrl === '' ? { kind: 'memory' } : { kind: 'redis', url: v.redisUrl, onStoreError: v.rateLimitOnStoreError },
    },
    http: {
      headersTimeoutMs: v.headersTimeoutMs,
      idleTimeoutMs: v.idleTimeoutMs,
      requestTimeoutMs: v.requestTimeoutMs,
      shutdownGraceMs: v.shutdownGraceMs,
    },
    blobStore: blobStoreConfig(v, metaStore),
    metaStore,
  });
}

function metaStoreConfig(v: SettingValues, metaGiven: boolean): MetaStoreConfig {
  // A PostgreSQL URL alone says which store is meant; an explicit --meta sqlite keeps the data dir's.
  const kind = metaGiven ? v.meta : v.postgresUrl ? 'postgres' : 'sqlite';
  if (kind === 'sqlite') return { kind, path: path.join(v.dataDir, 'lingo.sqlite') };
  if (!v.postgresUrl) throw new ConfigError('--meta postgres needs --postgres-url (or LINGO_POSTGRES_URL)');
  return { kind, url: v.postgresUrl };
}

const s3Settings = ['s3Endpoint', 's3Bucket', 's3Region', 's3ForcePathStyle', 's3Prefix'] as const;

function blobStoreConfig(v: SettingValues, metaStore: MetaStoreConfig): BlobStoreConfig {
  if (v.blob === 'fs') {
    // Set for a bucket but storing locally would split the blobs of a cluster between machines.
    const stray = s3Settings.find((key) => v[key] !== '' && v[key] !== false);
    if (stray) throw new ConfigError(`${flagOf(stray)} is set, but --blob is fs: add --blob s3 (LINGO_BLOB=s3), or unset it`);
    return { kind: 'fs', root: path.join(v.dataDir, 'blobs'), segmentBlobMaxBytes: v.segmentBlobMaxBytes };
  }
  if (v.s3Bucket === '') throw new ConfigError('--blob s3 needs a bucket: set --s3-bucket (LINGO_S3_BUCKET)');
  if (metaStore.kind === 'sqlite') {
    throw new ConfigError('--blob s3 keeps its blob ledger in PostgreSQL: it needs --meta postgres (LINGO_META=postgres)');
  }
  return {
    kind: 's3',
    location: {
      endpoint: v.s3Endpoint || undefined,
      bucket: v.s3Bucket,
      region: v.s3Region || undefined,
      forcePathStyle: v.s3ForcePathStyle,
      prefix: v.s3Prefix,
    },
    tempDir: path.join(v.dataDir, 'tmp'),
    segmentBlobMaxBytes: v.segmentBlobMaxBytes,
  };
}

function flagOf(key: string): string {
  return settings.find((s) => s.key === key)!.flag;
}

function parseOrThrow(setting: Setting, raw: string | number, origin: string): unknown {
  const value = setting.parse(raw);
  if (value !== undefined) return value;
  // A secret that is not allowed may still be mostly right: it is not echoed.
  throw new ConfigError(`${origin} must be ${setting.allowed}${setting.secret ? '' : `, got "${raw}"`}`);
}

function given(v: unknown): v is string | number {
  return v !== undefined && v !== '';
}

/** For the options of other commands (`--grace-seconds`, `--ttl-seconds`): the number, or a ConfigError naming `what`. */
export function integerIn(what: string, value: string | number, min: number, max: number): number {
  const n = wholeNumberIn(value, min, max);
  if (n === undefined) throw new ConfigError(`${what} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
