import { describe, expect, it } from 'vitest';
import { configPrint } from '../../../src/cli/config-command.js';
import { resolveSettings } from '../../../src/config/config.js';
import { integer, text } from '../../../src/config/setting-kinds.js';

// A table with secrets, as later settings (database URLs, keys) will have.
const table = [
  text({ key: 'dbUrl', flag: '--db-url', env: 'LINGO_DB_URL', default: 'sqlite:', argName: 'url', help: 'database', secret: 'url-password' }),
  text({ key: 'apiKey', flag: '--api-key', env: 'LINGO_API_KEY', default: 'none', argName: 'key', help: 'key', secret: 'value' }),
  integer({ key: 'cacheBytes', flag: '--cache-bytes', env: 'LINGO_CACHE_BYTES', default: 1024, min: 0, max: 1e6, unit: 'bytes', help: 'cache' }),
];

function printed(json: boolean): string[] {
  const lines: string[] = [];
  const resolved = resolveSettings({ env: { LINGO_DB_URL: 'postgres://lingo:hunter2@db:5432/lingo' }, flags: { apiKey: 'k-123456' } }, table);
  configPrint(resolved, json, (line) => lines.push(line));
  return lines;
}

describe('config print', () => {
  it('as text: aligned columns, units, the source of each value, secrets redacted', () => {
    expect(printed(false)).toEqual([
      'setting        value                               from',
      '--db-url       postgres://lingo:***@db:5432/lingo  env LINGO_DB_URL',
      '--api-key      [redacted]                          flag',
      '--cache-bytes  1024 bytes                          default',
    ]);
  });

  it('as JSON: values typed, secrets redacted', () => {
    const lines = printed(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).not.toContain('k-123456');
    expect(JSON.parse(lines[0]!)).toEqual({
      dbUrl: { value: 'postgres://lingo:***@db:5432/lingo', source: 'env', flag: '--db-url', env: 'LINGO_DB_URL' },
      apiKey: { value: '[redacted]', source: 'flag', flag: '--api-key', env: 'LINGO_API_KEY' },
      cacheBytes: { value: 1024, source: 'default', flag: '--cache-bytes', env: 'LINGO_CACHE_BYTES' },
    });
  });
});
