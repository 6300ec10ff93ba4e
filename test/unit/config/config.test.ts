import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError, configFromEnv, loadConfig, mergeInputs, resolveSettings } from '../../../src/config/config.js';
import { integer, text } from '../../../src/config/setting-kinds.js';

describe('config', () => {
  it('defaults < env < flags, frozen', () => {
    const env = configFromEnv({ LINGO_PORT: '9000', LINGO_HOST: '0.0.0.0', LINGO_DATA_DIR: '/tmp/x' });
    const c = buildConfig(mergeInputs(env, { port: '9100' }));
    expect(c.port).toBe(9100);
    expect(c.host).toBe('0.0.0.0');
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.rateLimit).toEqual({ perSecond: 50, perMinute: 1000, tier3PerMinute: 100, store: { kind: 'memory' } });
    expect(Object.isFrozen(c.rateLimit)).toBe(true);
    expect(buildConfig({}).port).toBe(8080);
    expect(buildConfig(configFromEnv({ LINGO_IDLE_TIMEOUT_MS: '1234' })).http.idleTimeoutMs).toBe(1234);
    expect(buildConfig({}).blobStore.segmentBlobMaxBytes).toBe(256 * 1024);
    expect(buildConfig(configFromEnv({ LINGO_SEGMENT_BLOB_MAX_BYTES: '0' })).blobStore.segmentBlobMaxBytes).toBe(0);
    expect(buildConfig({ segmentBlobMaxBytes: 1024 * 1024 }).blobStore.segmentBlobMaxBytes).toBe(1024 * 1024);
    expect(() => buildConfig({ segmentBlobMaxBytes: String(1024 * 1024 + 1) })).toThrow(/--segment-blob-max-bytes must be a whole number from 0 to 1048576/);
  });

  it('the same layering through loadConfig, which says where each value came from', () => {
    const { config, resolved } = loadConfig({
      env: { LINGO_PORT: '9000', LINGO_HOST: '0.0.0.0', LINGO_LOG_LEVEL: '' },
      flags: { port: '9100', host: undefined },
    });
    expect(config.port).toBe(9100);
    expect(config.host).toBe('0.0.0.0');
    expect(config.logLevel).toBe('info');
    const source = Object.fromEntries(resolved.map((r) => [r.setting.key, r.source]));
    expect(source).toMatchObject({ port: 'flag', host: 'env', logLevel: 'default', dataDir: 'default' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.blobStore)).toBe(true);
  });

  it('derives the store paths from the data dir, resolved against the working directory', () => {
    const c = buildConfig({ dataDir: 'rel/dir' });
    expect(c.dataDir).toBe(path.resolve('rel/dir'));
    expect(c.blobStore).toEqual({ kind: 'fs', root: path.resolve('rel/dir/blobs'), segmentBlobMaxBytes: 256 * 1024 });
    expect(c.metaStore).toEqual({ kind: 'sqlite', path: path.resolve('rel/dir/lingo.sqlite') });
    expect(buildConfig({}).dataDir).toBe(path.resolve('data'));
  });

  it('rejects bad values with a clear message naming the flag, or the variable the value came from', () => {
    expect(() => buildConfig({ port: '70000' })).toThrow(ConfigError);
    expect(() => buildConfig({ port: '70000' })).toThrow('--port must be a whole number from 0 to 65535, got "70000"');
    expect(() => buildConfig({ rateLimitPerSecond: '-1' })).toThrow('--rate-limit-per-second must be a whole number from 0 to 1000000000, got "-1"');
    expect(() => buildConfig({ logLevel: 'loud' })).toThrow('--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"');
    expect(() => loadConfig({ env: { LINGO_PORT: 'eighty' } })).toThrow('LINGO_PORT must be a whole number from 0 to 65535, got "eighty"');
    expect(() => loadConfig({ env: { LINGO_LOG_LEVEL: 'loud' } })).toThrow(/^LINGO_LOG_LEVEL must be one of/);
    // A flag that is given wins, so a bad variable behind it is never read.
    expect(loadConfig({ env: { LINGO_PORT: 'eighty' }, flags: { port: '1' } }).config.port).toBe(1);
    expect(() => buildConfig({ port: '1.5' })).toThrow(ConfigError);
    expect(() => buildConfig({ port: ' 12x' })).toThrow(ConfigError);
  });

  it('rate-limit counts in Redis with --redis-url, the store-error policy with it; the password never echoed', () => {
    expect(buildConfig({ redisUrl: 'none' }).rateLimit.store).toEqual({ kind: 'memory' });
    const env = configFromEnv({ LINGO_REDIS_URL: 'redis://:s3cret@cache:6379/3', LINGO_RATE_LIMIT_ON_STORE_ERROR: 'closed' });
    expect(buildConfig(env).rateLimit.store).toEqual({ kind: 'redis', url: 'redis://:s3cret@cache:6379/3', onStoreError: 'closed' });
    expect(buildConfig({ redisUrl: 'rediss://cache:6380' }).rateLimit.store).toEqual({ kind: 'redis', url: 'rediss://cache:6380', onStoreError: 'local' });
    // A flag switches off what the environment set.
    expect(buildConfig(mergeInputs(env, { redisUrl: 'none' })).rateLimit.store).toEqual({ kind: 'memory' });
    expect(() => buildConfig({ redisUrl: 'http://:s3cret@cache' })).toThrow(/^--redis-url must be none or a redis:\/\/ or rediss:\/\/ URL$/);
    expect(() => loadConfig({ env: { LINGO_REDIS_URL: 'cache:6379' } })).toThrow(/^LINGO_REDIS_URL must be/);
    expect(() => buildConfig({ rateLimitOnStoreError: 'ignore' })).toThrow('--rate-limit-on-store-error must be one of local, open, closed, got "ignore"');
  });

  it('HTTP timeouts: sane defaults, overridable, headers deadline within the request deadline', () => {
    expect(buildConfig({}).http).toEqual({ headersTimeoutMs: 10_000, idleTimeoutMs: 30_000, requestTimeoutMs: 300_000, shutdownGraceMs: 20_000 });
    expect(buildConfig({ headersTimeoutMs: 500, idleTimeoutMs: '700', requestTimeoutMs: 900, shutdownGraceMs: 0 }).http).toEqual({
      headersTimeoutMs: 500,
      idleTimeoutMs: 700,
      requestTimeoutMs: 900,
      shutdownGraceMs: 0,
    });
    expect(() => buildConfig({ idleTimeoutMs: 0 })).toThrow(/--idle-timeout-ms/);
    expect(() => buildConfig({ headersTimeoutMs: 2000, requestTimeoutMs: 1000 })).toThrow(/must not exceed/);
  });

  it('never echoes a secret that is not allowed', () => {
    const table = [
      text({ key: 'token', flag: '--token', env: 'LINGO_TOKEN', default: 'x', argName: 'token', help: 'a secret', secret: 'value' }),
      integer({ key: 'pin', flag: '--pin', env: 'LINGO_PIN', default: 1, min: 0, max: 9, help: 'a secret number', secret: 'value' }),
    ];
    expect(resolveSettings({ flags: { token: 's3cret' } }, table)[0]).toMatchObject({ value: 's3cret', source: 'flag' });
    let message = '';
    try {
      resolveSettings({ env: { LINGO_PIN: '12345' } }, table);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('LINGO_PIN must be a whole number from 0 to 9');
  });
});
