import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError, configFromEnv, loadConfig, resolveSettings } from '../../../../src/config/config.js';
import { shownValue } from '../../../../src/config/setting-kinds.js';
import { settings } from '../../../../src/config/settings.js';
import { settingFlags, settingOption } from '../../../../src/cli/setting-options.js';
import { runCli } from '../../../helpers/serve-process.js';

const setting = (key: string) => settings.find((s) => s.key === key)!;
const valueOf = (key: string, env: NodeJS.ProcessEnv, flags: Record<string, string | undefined> = {}) =>
  resolveSettings({ env, flags }).find((r) => r.setting.key === key)!.value;

describe('--blob and --s3-* settings', () => {
  it('default to the embedded store, whose slice is unchanged', () => {
    const config = buildConfig({});
    expect(config.blobStore.kind).toBe('fs');
    expect(valueOf('blob', {})).toBe('fs');
    for (const key of ['s3Endpoint', 's3Bucket', 's3Region', 's3Prefix']) expect(valueOf(key, {})).toBe('');
    expect(setting('s3Endpoint').default).toBe('none');
    expect(valueOf('s3ForcePathStyle', {})).toBe(false);
  });

  it('read the variables the issue names, flags winning', () => {
    const env = {
      LINGO_BLOB: 's3',
      LINGO_S3_ENDPOINT: 'http://minio:9000',
      LINGO_S3_BUCKET: 'lingo',
      LINGO_S3_REGION: 'eu-west-1',
      LINGO_S3_FORCE_PATH_STYLE: '1',
      LINGO_S3_PREFIX: 'blobs',
    };
    expect(configFromEnv(env)).toMatchObject({ blob: 's3', s3Endpoint: 'http://minio:9000', s3Bucket: 'lingo', s3ForcePathStyle: '1', s3Prefix: 'blobs' });
    expect(valueOf('s3Region', env)).toBe('eu-west-1');
    expect(valueOf('s3Bucket', env, { s3Bucket: 'other' })).toBe('other');
    expect(valueOf('s3ForcePathStyle', { LINGO_S3_FORCE_PATH_STYLE: 'off' })).toBe(false);
    expect(() => valueOf('s3ForcePathStyle', { LINGO_S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(
      'LINGO_S3_FORCE_PATH_STYLE must be the flag alone, or one of 1, 0, true, false, on, off, yes, no, got "maybe"',
    );
    expect(() => valueOf('blob', { LINGO_BLOB: 'gcs' })).toThrow('LINGO_BLOB must be one of fs, s3, got "gcs"');
  });

  it('--s3-force-path-style is a switch: the flag alone turns it on', () => {
    const command = new Command().exitOverride().addOption(settingOption(setting('s3ForcePathStyle')));
    command.parse(['--s3-force-path-style'], { from: 'user' });
    expect(valueOf('s3ForcePathStyle', {}, settingFlags(command.opts()) as Record<string, string>)).toBe(true);
    expect(settingOption(setting('s3Bucket')).flags).toBe('--s3-bucket <name>');
  });

  it('a misconfiguration fails at start naming the setting', () => {
    expect(() => buildConfig({ blob: 's3' })).toThrow(ConfigError);
    expect(() => buildConfig({ blob: 's3' })).toThrow('--blob s3 needs a bucket: set --s3-bucket (LINGO_S3_BUCKET)');
    // The ledger lives in PostgreSQL: SQLite metadata cannot go with S3 blobs.
    expect(() => buildConfig({ blob: 's3', s3Bucket: 'lingo' })).toThrow('--blob s3 keeps its blob ledger in PostgreSQL: it needs --meta postgres');
    expect(() => buildConfig({ blob: 's3', s3Bucket: 'lingo', s3Endpoint: 'ftp://files' })).toThrow('--s3-endpoint must be none or a http:// or https:// URL');
    // S3 settings with local blobs would silently keep each instance's blobs on its own disk.
    expect(() => loadConfig({ env: { LINGO_S3_BUCKET: 'lingo' } })).toThrow('--s3-bucket is set, but --blob is fs: add --blob s3 (LINGO_BLOB=s3), or unset it');
    expect(() => buildConfig({ s3ForcePathStyle: '1' })).toThrow('--s3-force-path-style is set, but --blob is fs');
  });

  it('with --meta postgres, make the s3 slice: spool under the data dir, bodies up to the segment threshold in memory', () => {
    const config = loadConfig({
      env: { LINGO_DATA_DIR: '/srv/lingo', LINGO_POSTGRES_URL: 'postgres://lingo@db/lingo', LINGO_BLOB: 's3', LINGO_S3_BUCKET: 'blobs' },
      flags: { s3Endpoint: 'http://minio:9000', s3Prefix: 'v1', s3ForcePathStyle: '1' },
    }).config;
    expect(config.blobStore).toEqual({
      kind: 's3',
      location: { endpoint: 'http://minio:9000', bucket: 'blobs', region: undefined, forcePathStyle: true, prefix: 'v1' },
      tempDir: '/srv/lingo/tmp',
      segmentBlobMaxBytes: 256 * 1024,
    });
    const aws = buildConfig({ meta: 'postgres', postgresUrl: 'postgres://db/x', blob: 's3', s3Bucket: 'b', s3Region: 'eu-west-1' }).blobStore;
    expect(aws).toMatchObject({ kind: 's3', location: { endpoint: undefined, region: 'eu-west-1', forcePathStyle: false, prefix: '' } });
  });

  it('config print hides a password in the endpoint', () => {
    expect(shownValue(setting('s3Endpoint'), 'https://key:s3cret@s3.internal:9000')).toBe('https://key:***@s3.internal:9000/');
    expect(shownValue(setting('s3Bucket'), 'lingo')).toBe('lingo');
  });

  it('the commands that open a data store accept them, and exit 2 on a misconfiguration', () => {
    for (const args of [
      ['gc', '--blob', 's3'],
      ['fsck', '--blob', 's3', '--s3-bucket', 'lingo', '--s3-force-path-style'],
    ]) {
      const r = runCli(args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^lingo-server: --blob s3 (needs a bucket|keeps its blob ledger in PostgreSQL)/);
    }
  });
});
