import { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { shownValue, text, withoutUrlPassword } from '../../../src/config/setting-kinds.js';
import { settings } from '../../../src/config/settings.js';

describe('the settings table', () => {
  it('follows the naming conventions, so commander hands each flag back under its key', () => {
    for (const s of settings) {
      expect(s.flag).toBe('--' + s.key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
      expect(s.env).toBe('LINGO_' + s.key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase());
      expect(new Option(`${s.flag} <${s.argName}>`).attributeName()).toBe(s.key);
    }
    expect(new Set(settings.map((s) => s.key)).size).toBe(settings.length);
  });

  it('has defaults that its own rules allow, and refuses what they do not', () => {
    for (const s of settings) expect(s.parse(s.default), s.flag).not.toBeUndefined();
    const port = settings.find((s) => s.key === 'port')!;
    expect([port.parse('0'), port.parse(65535), port.parse('65536'), port.parse('-1'), port.parse('8e3')]).toEqual([0, 65535, undefined, undefined, undefined]);
  });
});

describe('secrets', () => {
  it('config print shows no secret: a whole value hidden, a URL without its password', () => {
    const token = text({ key: 'token', flag: '--token', env: 'LINGO_TOKEN', default: '', argName: 'token', help: 'x', secret: 'value' });
    const url = text({ key: 'dbUrl', flag: '--db-url', env: 'LINGO_DB_URL', default: '', argName: 'url', help: 'x', secret: 'url-password' });
    const plain = text({ key: 'name', flag: '--name', env: 'LINGO_NAME', default: '', argName: 'name', help: 'x' });
    expect(shownValue(token, 's3cret')).toBe('[redacted]');
    expect(shownValue(token, '')).toBe('');
    expect(shownValue(url, 'postgres://app:s3cret@db.internal:5432/lingo')).toBe('postgres://app:***@db.internal:5432/lingo');
    expect(shownValue(url, 'redis://cache:6379')).toBe('redis://cache:6379');
    expect(shownValue(plain, 's3cret')).toBe('s3cret');
    expect(withoutUrlPassword('not a url with s3cret')).toBe('[redacted]');
  });
});
