import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/config.js';

export interface CollectedFiles {
  /** Absolute paths, each once, in the order given (a folder's files sorted by name). */
  files: string[];
  /** Entries of walked folders left out on purpose. */
  hidden: number;
  symlinks: number;
}

/**
 * The files named on the command line, folders walked recursively. What is named explicitly is
 * taken as named (a symlink followed, a dot file included). Inside a walked folder, entries whose
 * name starts with "." are skipped (.DS_Store, .git), and so are symlinks, to files or folders
 * alike: following them could leave the tree or loop. Anything but a regular file or a folder
 * (a socket, a FIFO) is ignored. A name that does not exist is an argument error, before anything
 * is sent.
 */
export async function collectFiles(args: readonly string[]): Promise<CollectedFiles> {
  const found: CollectedFiles = { files: [], hidden: 0, symlinks: 0 };
  const seen = new Set<string>();
  const add = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    found.files.push(file);
  };
  for (const arg of args) {
    const abs = path.resolve(arg);
    const stat = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => {
      throw new ConfigError(`${arg}: ${err.code === 'ENOENT' ? 'no such file or folder' : err.message}`);
    });
    if (stat.isDirectory()) await walk(abs, found, add);
    else if (stat.isFile()) add(abs);
    else throw new ConfigError(`${arg}: not a file or a folder`);
  }
  return found;
}

async function walk(dir: string, found: CollectedFiles, add: (file: string) => void): Promise<void> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('.')) found.hidden++;
    else if (entry.isSymbolicLink()) found.symlinks++;
    else if (entry.isDirectory()) await walk(full, found, add);
    else if (entry.isFile()) add(full);
  }
}
