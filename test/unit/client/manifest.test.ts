import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Manifest } from '../../../src/client/manifest.js';
import { ConfigError } from '../../../src/config/config.js';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.js';

describe('Manifest', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('manifest');
  });
  afterEach(() => removeDir(dir));

  for (const ext of ['json', 'csv']) {
    it(`${ext}: what one run records, the next reads back, awkward characters included`, () => {
      const file = path.join(dir, `m.${ext}`);
      const first = Manifest.load(file);
      const odd = '/imgs/a, "quoted"\nname.png';
      first.record({ path: odd, sha256: 'aa', file_token: 'boxA' });
      first.record({ path: '/imgs/b.png', sha256: 'bb', error: 'refused: file: image width is 1 px, "x"' });
      first.flush();
      expect(fs.readdirSync(dir)).toEqual([`m.${ext}`]);

      const second = Manifest.load(file);
      expect(second.uploadedToken(odd, 'aa')).toBe('boxA');
      expect(second.uploadedToken(odd, 'changed')).toBeUndefined();
      expect(second.uploadedToken('/imgs/b.png', 'bb')).toBeUndefined();
      // Entries of files not in a run are kept when it writes.
      second.record({ path: '/imgs/c.png', sha256: 'cc', file_token: 'boxC' });
      second.flush();
      const third = Manifest.load(file);
      expect([third.uploadedToken(odd, 'aa'), third.uploadedToken('/imgs/c.png', 'cc')]).toEqual(['boxA', 'boxC']);
    });
  }

  it('a run that records nothing leaves no file behind', () => {
    Manifest.load(path.join(dir, 'none.json')).flush();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a name without .json or .csv, and a file that is not a manifest, without touching it', () => {
    expect(() => Manifest.load(path.join(dir, 'm.txt'))).toThrow(ConfigError);
    const file = path.join(dir, 'm.json');
    fs.writeFileSync(file, '{"not":"an array"}');
    expect(() => Manifest.load(file)).toThrow(/is not a manifest of lingo-server upload: not a JSON array/);
    fs.writeFileSync(file, '[{"path":"/a"}]');
    expect(() => Manifest.load(file)).toThrow(/entry 1 has no path or sha256/);
    expect(fs.readFileSync(file, 'utf8')).toBe('[{"path":"/a"}]');
  });
});
