import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.js';

let dir: string;
beforeAll(() => {
  dir = makeTempDir('config-file');
});
afterAll(() => removeDir(dir));

/** Writes `text` to a new file named `name` in the temp dir and returns its path. */
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const sourceOf = (resolved: ReturnType<typeof loadConfig>['resolved']): Record<string, string> =>
  Object.fromEntries(resolved.map((r) => [r.setting.key, r.source]));

/** The ConfigError that loading throws (fails the test when it does not throw one). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('--config FILE', () => {
  it('TOML: defaults < file < env < flags, and config print sources say so', () => {
    const toml = file(
      'layers.toml',
      ['port = 9001', 'host = "0.0.0.0"', 'log-level = "warn"', 'rate-limit-per-second = "7"', 's3-force-path-style = false', 'metrics-port = 9464'].join('\n'),
    );
    const { config, resolved } = loadConfig({ env: { LINGO_CONFIG: toml, LINGO_HOST: '10.0.0.1', LINGO_LOG_LEVEL: 'error' }, flags: { logLevel: 'debug' } });
    expect(config.port).toBe(9001);
    expect(config.metricsPort).toBe(9464);
    expect(config.rateLimit.perSecond).toBe(7);
    expect(config.host).toBe('10.0.0.1');
    expect(config.logLevel).toBe('debug');
    expect(config.rateLimit.perMinute).toBe(1000);
    expect(sourceOf(resolved)).toMatchObject({
      config: 'env',
      port: 'file',
      metricsPort: 'file',
      rateLimitPerSecond: 'file',
      host: 'env',
      logLevel: 'flag',
      rateLimitPerMinute: 'default',
    });
  });

  it('JSON: the same keys, from the flag --config', () => {
    const json = file('layers.json', JSON.stringify({ 'data-dir': 'rel/data', 'segment-blob-max-bytes': 0, 'metrics-port': 'none' }));
    const { config, resolved } = loadConfig({ env: {}, flags: { config: json } });
    expect(config.dataDir).toBe(path.resolve('rel/data'));
    expect(config.blobStore).toMatchObject({ kind: 'fs', segmentBlobMaxBytes: 0 });
    expect(config.metricsPort).toBe(0);
    expect(sourceOf(resolved)).toMatchObject({ config: 'flag', dataDir: 'file', segmentBlobMaxBytes: 'file', port: 'default' });
  });

  it('a switch takes true or false; s3 settings from a file are checked together like any others', () => {
    const on = file('s3.toml', 'blob = "s3"\ns3-bucket = "b"\ns3-force-path-style = true\nmeta = "postgres"\npostgres-url = "postgres://u@db/lingo"');
    expect(loadConfig({ flags: { config: on } }).config.blobStore).toMatchObject({ kind: 's3', location: { bucket: 'b', forcePathStyle: true } });
    const stray = file('stray.toml', 's3-bucket = "b"');
    expect(refusal(() => loadConfig({ flags: { config: stray } }))).toBe('--s3-bucket is set, but --blob is fs: add --blob s3 (LINGO_BLOB=s3), or unset it');
  });

  it('an unknown key fails naming it, and a camelCase key names the spelling to use', () => {
    const unknown = file('unknown.toml', 'port = 1\nprot = 2');
    expect(refusal(() => loadConfig({ flags: { config: unknown } }))).toMatch(
      new RegExp(`^${unknown}: unknown key "prot"; the keys are config, host, port, metrics-port, `),
    );
    const camel = file('camel.json', '{"dataDir": "/x"}');
    expect(refusal(() => loadConfig({ flags: { config: camel } }))).toMatch(/unknown key "dataDir" \(write "data-dir", the flag without its dashes\)/);
    const nested = file('nested.toml', 'config = "other.toml"');
    expect(refusal(() => loadConfig({ flags: { config: nested } }))).toMatch(/"config" names the file itself/);
  });

  it('a bad value fails naming the key, the file and what is allowed', () => {
    const port = file('port.toml', 'port = 70000');
    expect(refusal(() => loadConfig({ flags: { config: port } }))).toBe(`"port" in ${port} must be a whole number from 0 to 65535, got "70000"`);
    const level = file('level.json', '{"log-level": "loud"}');
    expect(refusal(() => loadConfig({ flags: { config: level } }))).toBe(
      `"log-level" in ${level} must be one of fatal, error, warn, info, debug, trace, silent, got "loud"`,
    );
    const list = file('list.toml', 'host = ["a", "b"]');
    expect(refusal(() => loadConfig({ flags: { config: list } }))).toBe(`"host" in ${list} must be a non-empty address, got a list`);
    const toggle = file('toggle.json', '{"s3-force-path-style": 1}');
    expect(refusal(() => loadConfig({ flags: { config: toggle } }))).toBe(`"s3-force-path-style" in ${toggle} must be true or false, got 1`);
    const bool = file('bool.toml', 'port = true');
    expect(refusal(() => loadConfig({ flags: { config: bool } }))).toMatch(/^"port" in .* must be a whole number from 0 to 65535, got true$/);
  });

  it('--metrics-port may not be --port', () => {
    const same = file('same-port.toml', 'port = 9100\nmetrics-port = 9100');
    expect(refusal(() => loadConfig({ flags: { config: same } }))).toBe(
      '--metrics-port (9100) is --port: give another port, or none to serve /metrics on the main port',
    );
    expect(loadConfig({ flags: { config: same, metricsPort: 'none' } }).config.metricsPort).toBe(0);
  });

  it('a value the environment or a flag overrides is never checked, as a bad variable behind a flag is not', () => {
    const bad = file('overridden.toml', 'port = "eighty"');
    expect(loadConfig({ env: { LINGO_PORT: '81' }, flags: { config: bad } }).config.port).toBe(81);
  });

  it('never echoes a secret: not a bad URL, not the line of a parse error', () => {
    const badUrl = file('url.toml', 'postgres-url = "mysql://u:hunter2@db/x"');
    const message = refusal(() => loadConfig({ flags: { config: badUrl } }));
    expect(message).toBe(`"postgres-url" in ${badUrl} must be none or a postgres:// or postgresql:// URL`);
    const broken = file('broken.toml', 'port = 1\npostgres-url = "postgres://u:hunter2@db/x\n');
    const parse = refusal(() => loadConfig({ flags: { config: broken } }));
    expect(parse).toMatch(new RegExp(`^${broken} is not valid TOML \\(line 2, column \\d+\\)`));
    expect(parse).not.toContain('hunter2');
    const brokenJson = file('broken.json', '{\n  "postgres-url": "postgres://u:hunter2@db/x",\n  "port": ,\n}');
    const jsonParse = refusal(() => loadConfig({ flags: { config: brokenJson } }));
    expect(jsonParse).toMatch(new RegExp(`^${brokenJson} is not valid JSON( \\(line 3, column \\d+\\))?$`));
    expect(jsonParse).not.toContain('hunter2');
  });

  it('refuses a missing file, another extension, and a document that is not one object', () => {
    expect(refusal(() => loadConfig({ flags: { config: path.join(dir, 'absent.toml') } }))).toBe(`--config ${path.join(dir, 'absent.toml')}: no such file`);
    const yaml = file('lingo.yaml', 'port: 1');
    expect(refusal(() => loadConfig({ flags: { config: yaml } }))).toMatch(/the file name must end in \.json or \.toml$/);
    const array = file('array.json', '[1, 2]');
    expect(refusal(() => loadConfig({ flags: { config: array } }))).toBe(`${array} must hold one object of settings`);
  });
});
