import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError, configFromEnv, mergeInputs } from '../../src/config/config.js';

describe('config', () => {
  it('defaults < env < flags, frozen', () => {
    const env = configFromEnv({ LINGO_PORT: '9000', LINGO_HOST: '0.0.0.0', LINGO_DATA_DIR: '/tmp/x' });
    const c = buildConfig(mergeInputs(env, { port: '9100' }));
    expect(c.port).toBe(9100);
    expect(c.host).toBe('0.0.0.0');
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.rateLimit).toEqual({ perSecond: 50, perMinute: 1000 });
    expect(Object.isFrozen(c.rateLimit)).toBe(true);
    expect(buildConfig({}).port).toBe(8080);
    expect(buildConfig(configFromEnv({ LINGO_IDLE_TIMEOUT_MS: '1234' })).http.idleTimeoutMs).toBe(1234);
    expect(buildConfig({}).blobStore.segmentBlobMaxBytes).toBe(256 * 1024);
    expect(buildConfig(configFromEnv({ LINGO_PACK_MAX_BYTES: '0' })).blobStore.segmentBlobMaxBytes).toBe(0);
    expect(() => buildConfig({ packMaxBytes: String(2 * 1024 * 1024) })).toThrow(/pack max bytes/);
  });

  it('rejects bad values with a clear message', () => {
    expect(() => buildConfig({ port: '70000' })).toThrow(ConfigError);
    expect(() => buildConfig({ rateLimitPerSecond: '-1' })).toThrow(/rate limit per second/);
    expect(() => buildConfig({ logLevel: 'loud' })).toThrow(/log level/);
  });

  it('HTTP timeouts: sane defaults, overridable, headers deadline within the request deadline', () => {
    expect(buildConfig({}).http).toEqual({ headersTimeoutMs: 10_000, idleTimeoutMs: 30_000, requestTimeoutMs: 300_000, shutdownGraceMs: 20_000 });
    expect(buildConfig({ headersTimeoutMs: 500, idleTimeoutMs: '700', requestTimeoutMs: 900, shutdownGraceMs: 0 }).http).toEqual({
      headersTimeoutMs: 500,
      idleTimeoutMs: 700,
      requestTimeoutMs: 900,
      shutdownGraceMs: 0,
    });
    expect(() => buildConfig({ idleTimeoutMs: 0 })).toThrow(/idle timeout/);
    expect(() => buildConfig({ headersTimeoutMs: 2000, requestTimeoutMs: 1000 })).toThrow(/must not exceed/);
  });
});
