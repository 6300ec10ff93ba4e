import { choice, directory, integer, optionalPort, optionalText, optionalUrl, text, toggle, type Setting } from './setting-kinds.js';

/**
 * Every setting of the server, declared once. The commander options, the environment reader,
 * validation, `config print` and --help all come from this table, and a test checks the table of
 * docs/configuration.md against it: adding a setting is one entry here and its row there, plus
 * its place in a `ServerConfig` slice (config.ts) for the module that uses it.
 *
 * Conventions (checked by test/unit/config/settings.test.ts): the flag is the key in kebab case,
 * the environment variable is `LINGO_` and the key in upper snake case.
 */

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const metaStoreKinds = ['sqlite', 'postgres'] as const;

export const rateLimitStoreErrorPolicies = ['local', 'open', 'closed'] as const;

const day = 24 * 3600 * 1000;

export const settings = [
  // Read before the others: the file it names is the layer between the defaults and the environment.
  optionalText({
    key: 'config',
    flag: '--config',
    env: 'LINGO_CONFIG',
    argName: 'file',
    scope: 'data',
    help: 'a JSON (.json) or TOML (.toml) file of settings, keyed by flag without the dashes (data-dir); the environment and flags win over it',
  }),
  text({ key: 'host', flag: '--host', env: 'LINGO_HOST', default: '127.0.0.1', argName: 'address', help: 'listen address' }),
  integer({ key: 'port', flag: '--port', env: 'LINGO_PORT', default: 8080, min: 0, max: 65535, help: 'listen port, 0 for any free one' }),
  optionalPort({
    key: 'metricsPort',
    flag: '--metrics-port',
    env: 'LINGO_METRICS_PORT',
    help: 'serve GET /metrics only on this port (of --host), and 404 it on the main port; none: on the main port',
  }),
  directory({
    key: 'dataDir',
    flag: '--data-dir',
    env: 'LINGO_DATA_DIR',
    default: './data',
    scope: 'data',
    help: 'data directory: blobs in blobs/, rows in lingo.sqlite; one server per data dir',
  }),
  choice({
    key: 'meta',
    flag: '--meta',
    env: 'LINGO_META',
    default: 'sqlite',
    choices: metaStoreKinds,
    scope: 'data',
    help: 'where rows live: sqlite (lingo.sqlite in the data dir) or postgres (--postgres-url)',
  }),
  optionalUrl({
    key: 'postgresUrl',
    flag: '--postgres-url',
    env: 'LINGO_POSTGRES_URL',
    protocols: ['postgres:', 'postgresql:'],
    scope: 'data',
    secret: 'url-password',
    help: 'the PostgreSQL database for rows; given alone, it implies --meta postgres',
  }),
  integer({
    key: 'rateLimitPerSecond',
    flag: '--rate-limit-per-second',
    env: 'LINGO_RATE_LIMIT_PER_SECOND',
    default: 50,
    min: 0,
    max: 1e9,
    help: 'requests per second per API × app × tenant, 0 disables',
  }),
  integer({
    key: 'rateLimitPerMinute',
    flag: '--rate-limit-per-minute',
    env: 'LINGO_RATE_LIMIT_PER_MINUTE',
    default: 1000,
    min: 0,
    max: 1e9,
    help: 'requests per minute per API × app × tenant, 0 disables',
  }),
  integer({
    key: 'rateLimitWritesPerMinute',
    flag: '--rate-limit-writes-per-minute',
    env: 'LINGO_RATE_LIMIT_WRITES_PER_MINUTE',
    default: 100,
    min: 0,
    max: 1e9,
    help: 'entity and draft creates and updates per minute per API × app × tenant (Feishu tier 3), 0 disables',
  }),
  optionalUrl({
    key: 'redisUrl',
    flag: '--redis-url',
    env: 'LINGO_REDIS_URL',
    protocols: ['redis:', 'rediss:'],
    secret: 'url-password',
    help: 'Redis for rate-limit counts shared by every instance; none: counted in this process',
  }),
  choice({
    key: 'rateLimitOnStoreError',
    flag: '--rate-limit-on-store-error',
    env: 'LINGO_RATE_LIMIT_ON_STORE_ERROR',
    default: 'local',
    choices: rateLimitStoreErrorPolicies,
    help: "when Redis fails: each instance's own limits (local), no limit (open), or 500 2250002 (closed)",
  }),
  choice({ key: 'logLevel', flag: '--log-level', env: 'LINGO_LOG_LEVEL', default: 'info', choices: logLevels, help: 'log level (JSON lines on stdout)' }),
  // Most Lingo entry images are well under the default; above it a file's own fsync costs little extra.
  integer({
    key: 'segmentBlobMaxBytes',
    flag: '--segment-blob-max-bytes',
    env: 'LINGO_SEGMENT_BLOB_MAX_BYTES',
    default: 256 * 1024,
    min: 0,
    max: 1024 * 1024,
    unit: 'bytes',
    help: 'blobs up to this size are appended to segment files, larger ones are files; 0: every blob a file',
  }),
  // S3: credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID, profiles, roles), never from here.
  choice({
    key: 'blob',
    flag: '--blob',
    env: 'LINGO_BLOB',
    default: 'fs',
    choices: ['fs', 's3'],
    scope: 'data',
    help: 'where blobs live: fs (the data dir) or s3 (a bucket shared by every instance; needs --meta postgres)',
  }),
  optionalUrl({
    key: 's3Endpoint',
    flag: '--s3-endpoint',
    env: 'LINGO_S3_ENDPOINT',
    protocols: ['http:', 'https:'],
    scope: 'data',
    secret: 'url-password',
    help: 'an S3-compatible server; none: AWS',
  }),
  optionalText({ key: 's3Bucket', flag: '--s3-bucket', env: 'LINGO_S3_BUCKET', argName: 'name', scope: 'data', help: 'the bucket (required with --blob s3)' }),
  optionalText({
    key: 's3Region',
    flag: '--s3-region',
    env: 'LINGO_S3_REGION',
    argName: 'region',
    scope: 'data',
    help: "the bucket's region; unset: the AWS chain's (AWS_REGION)",
  }),
  toggle({
    key: 's3ForcePathStyle',
    flag: '--s3-force-path-style',
    env: 'LINGO_S3_FORCE_PATH_STYLE',
    scope: 'data',
    help: 'address the bucket as http://host/bucket (most S3-compatible servers)',
  }),
  optionalText({
    key: 's3Prefix',
    flag: '--s3-prefix',
    env: 'LINGO_S3_PREFIX',
    argName: 'prefix',
    scope: 'data',
    help: 'object keys are <prefix>/<sha256>; unset: <sha256>',
  }),
  integer({
    key: 'headersTimeoutMs',
    flag: '--headers-timeout-ms',
    env: 'LINGO_HEADERS_TIMEOUT_MS',
    default: 10_000,
    min: 1,
    max: day,
    unit: 'ms',
    help: 'time allowed to send the request headers',
  }),
  integer({
    key: 'idleTimeoutMs',
    flag: '--idle-timeout-ms',
    env: 'LINGO_IDLE_TIMEOUT_MS',
    default: 30_000,
    min: 1,
    max: day,
    unit: 'ms',
    help: 'longest silence on a connection while a body is expected',
  }),
  // A 10 MiB upload at 100 KiB/s takes about 100 s.
  integer({
    key: 'requestTimeoutMs',
    flag: '--request-timeout-ms',
    env: 'LINGO_REQUEST_TIMEOUT_MS',
    default: 300_000,
    min: 1,
    max: day,
    unit: 'ms',
    help: 'whole-request deadline, body included',
  }),
  integer({
    key: 'shutdownGraceMs',
    flag: '--shutdown-grace-ms',
    env: 'LINGO_SHUTDOWN_GRACE_MS',
    default: 20_000,
    min: 0,
    max: day,
    unit: 'ms',
    help: 'how long SIGTERM waits for in-flight requests before closing the stores',
  }),
] as const satisfies readonly Setting[];

export type SettingKey = (typeof settings)[number]['key'];

type ValueOf<S extends Setting> = Exclude<ReturnType<S['parse']>, undefined>;

/** Every setting's parsed value, by key: `{ port: number; logLevel: 'fatal' | …; … }`. */
export type SettingValues = { [S in (typeof settings)[number] as S['key']]: ValueOf<S> };

/** Raw values by key, as flags, the environment or an embedder give them (numbers may be numbers); undefined or '' means "not given". */
export type ConfigInput = { [S in (typeof settings)[number] as S['key']]?: (ValueOf<S> extends number ? string | number : string) | undefined };
