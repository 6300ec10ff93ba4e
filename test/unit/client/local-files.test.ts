import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectFiles } from '../../../src/client/file-walk.js';
import { isRefusal, readCandidate, refusalOf, type Candidate } from '../../../src/client/local-validation.js';
import { ConfigError } from '../../../src/config/config.js';
import { makeImage } from '../../fixtures/images.js';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.js';

describe('collectFiles and the local upload check', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('local-files');
  });
  afterEach(() => removeDir(dir));
  const file = (rel: string, bytes: Buffer | string = 'x'): string => {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, bytes);
    return full;
  };

  it('walks folders in name order, skips their hidden entries and symlinks, but takes what is named explicitly, once', async () => {
    const b = file('tree/b.png');
    const a = file('tree/sub/a.png');
    const hidden = file('tree/.hidden.png');
    file('tree/.cache/c.png');
    const link = path.join(dir, 'tree', 'link.png');
    fs.symlinkSync(b, link);
    fs.symlinkSync(path.join(dir, 'tree', 'sub'), path.join(dir, 'tree', 'loop'));
    const found = await collectFiles([path.join(dir, 'tree'), hidden, link, b]);
    expect(found).toEqual({ files: [b, a, hidden, link], hidden: 2, symlinks: 2 });
    await expect(collectFiles([path.join(dir, 'nope')])).rejects.toThrow(ConfigError);
  });

  it("refuses with the server's own reasons: the name, then the bytes; a file over 10 MiB from its size, unread", async () => {
    const good = (await readCandidate(file('ok.png', await makeImage('png', 320, 320)))) as Candidate;
    expect(isRefusal(good)).toBe(false);
    expect(good.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await refusalOf(good)).toBeUndefined();
    expect(await refusalOf({ ...good, name: 'x'.repeat(101) })).toBe('name: name has 101 characters; it must have 1-100');
    expect(await refusalOf({ ...good, bytes: good.bytes.subarray(0, 3100) })).toMatch(/^file: png truncated/);
    expect(await refusalOf({ ...good, bytes: Buffer.alloc(0) })).toBe('file: file is 0 bytes; it must be at least 3072 bytes (3 KiB)');

    const huge = file('huge.png');
    fs.truncateSync(huge, 10 * 1024 * 1024 + 1);
    expect(await readCandidate(huge)).toEqual({ path: huge, sha256: null, reason: 'file: file is larger than 10485760 bytes (10 MiB)' });
  });
});
