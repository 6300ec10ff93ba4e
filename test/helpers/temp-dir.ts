import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A new empty directory under the system temp dir, named `lingo-<label>-…`. */
export function makeTempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lingo-${label}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
