import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError, loadConfig } from '../../../src/config/config.js';
import { configPrint } from '../../../src/cli/config-command.js';

const url = 'postgres://lingo:pw-s3cret@db.internal:5432/lingo';

describe('--meta and --postgres-url', () => {
  it('default: rows in the data dir', () => {
    expect(buildConfig({ dataDir: '/srv/d' }).metaStore).toEqual({ kind: 'sqlite', path: path.resolve('/srv/d/lingo.sqlite') });
  });

  it('a PostgreSQL URL, from a flag or LINGO_POSTGRES_URL, is enough: it implies --meta postgres', () => {
    expect(buildConfig({ postgresUrl: url }).metaStore).toEqual({ kind: 'postgres', url });
    expect(loadConfig({ env: { LINGO_POSTGRES_URL: url } }).config.metaStore).toEqual({ kind: 'postgres', url });
    expect(loadConfig({ env: { LINGO_META: 'postgres', LINGO_POSTGRES_URL: 'postgresql://h/db' } }).config.metaStore).toEqual({
      kind: 'postgres',
      url: 'postgresql://h/db',
    });
  });

  it('an explicit --meta sqlite keeps the data dir, whatever URL the environment holds', () => {
    expect(loadConfig({ env: { LINGO_POSTGRES_URL: url }, flags: { meta: 'sqlite', dataDir: '/srv/d' } }).config.metaStore.kind).toBe('sqlite');
  });

  it('misconfigurations are ConfigErrors naming the setting, and never echo a password', () => {
    expect(() => buildConfig({ meta: 'postgres' })).toThrow(ConfigError);
    expect(() => buildConfig({ meta: 'postgres' })).toThrow('--meta postgres needs --postgres-url (or LINGO_POSTGRES_URL)');
    expect(() => loadConfig({ env: { LINGO_META: 'mysql' } })).toThrow('LINGO_META must be one of sqlite, postgres, got "mysql"');
    const notPostgres = (): unknown => buildConfig({ postgresUrl: 'mysql://u:pw-s3cret@h/db' });
    expect(notPostgres).toThrow(ConfigError);
    expect(notPostgres).toThrow(/^--postgres-url must be none or a postgres:\/\/ or postgresql:\/\/ URL/);
  });

  it('config print shows the URL without its password', () => {
    const lines: string[] = [];
    configPrint(loadConfig({ env: { LINGO_POSTGRES_URL: url } }).resolved, true, (l) => lines.push(l));
    const printed = JSON.parse(lines[0]!);
    expect(printed.postgresUrl).toEqual({
      value: 'postgres://lingo:***@db.internal:5432/lingo',
      source: 'env',
      flag: '--postgres-url',
      env: 'LINGO_POSTGRES_URL',
    });
    expect(printed.meta).toMatchObject({ value: 'sqlite', source: 'default' });
    expect(lines.join('\n')).not.toContain('pw-s3cret');
  });
});
