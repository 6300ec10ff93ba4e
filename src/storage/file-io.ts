import fsp from 'node:fs/promises';

/**
 * Writes every byte of `chunks`, at `position` or (without one) at the file's position. writev
 * may write less than asked (for a regular file, when space runs out mid-way): the rest is
 * written plainly, so the real error (ENOSPC) is what the caller sees.
 */
export async function writeAll(fh: fsp.FileHandle, chunks: Buffer[], position?: number): Promise<void> {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  let written = (await fh.writev(chunks, position)).bytesWritten;
  if (written === total) return;
  let rest = Buffer.concat(chunks).subarray(written);
  while (rest.length > 0) {
    const { bytesWritten: n } = await fh.write(rest, 0, rest.length, position === undefined ? null : position + written);
    written += n;
    rest = rest.subarray(n);
  }
}

/** Makes a directory's entries (a new name, a removed one) survive a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
