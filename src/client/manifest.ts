import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { ConfigError } from '../config/config.js';

/** One file of an upload run: its token once uploaded, else why not. */
export interface ManifestEntry {
  /** Absolute, so that a re-run from another directory still recognises the file. */
  path: string;
  /** Empty when the file was refused without being read (over the size limit). */
  sha256: string;
  file_token?: string;
  error?: string;
}

type Format = 'json' | 'csv';
const csvColumns = ['path', 'sha256', 'file_token', 'error'] as const;

/**
 * The manifest of `upload --manifest`: JSON (an array of entries) or CSV (path, sha256,
 * file_token, error), by the file's extension. It is read at start, so that files whose path and
 * SHA-256 it lists as uploaded are skipped, and rewritten as files complete (at most once a
 * second, and at the end) by writing a temp file and renaming it: a run cut short leaves the
 * last complete manifest, never half of one. Entries of files not in this run are kept.
 */
export class Manifest {
  private readonly entries = new Map<string, ManifestEntry>();
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly file: string,
    private readonly format: Format,
  ) {}

  /** The manifest at `file`, empty if there is none yet. A file that cannot be read is an argument error. */
  static load(file: string): Manifest {
    const ext = path.extname(file).toLowerCase();
    if (ext !== '.json' && ext !== '.csv') throw new ConfigError(`--manifest ${file}: the name must end in .json or .csv (the format)`);
    const manifest = new Manifest(path.resolve(file), ext === '.json' ? 'json' : 'csv');
    let text: string;
    try {
      text = fs.readFileSync(manifest.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return manifest;
      throw new ConfigError(`--manifest ${file}: ${(err as Error).message}`);
    }
    for (const entry of parseEntries(text, manifest.format, file)) manifest.entries.set(entry.path, entry);
    return manifest;
  }

  /** The token of `path` if this manifest lists it as uploaded with these very bytes. */
  uploadedToken(filePath: string, sha256: string): string | undefined {
    const entry = this.entries.get(filePath);
    return entry?.file_token && entry.sha256 === sha256 ? entry.file_token : undefined;
  }

  record(entry: ManifestEntry): void {
    this.entries.set(entry.path, entry);
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, 1_000);
  }

  /** Writes what is pending now (the end of a run). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.write();
  }

  private write(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const list = [...this.entries.values()];
    const text = this.format === 'json' ? JSON.stringify(list, null, 2) + '\n' : toCsv(list);
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, this.file);
  }
}

function parseEntries(text: string, format: Format, file: string): ManifestEntry[] {
  const bad = (why: string): ConfigError => new ConfigError(`--manifest ${file} is not a manifest of lingo-server upload: ${why}`);
  let rows: unknown[];
  try {
    rows = format === 'json' ? (JSON.parse(text) as unknown[]) : (parse(text, { columns: true, skip_empty_lines: true, bom: true }) as unknown[]);
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (!Array.isArray(rows)) throw bad('not a JSON array');
  return rows.map((row, i) => {
    const r = (row ?? {}) as Record<string, unknown>;
    if (typeof r.path !== 'string' || typeof r.sha256 !== 'string') throw bad(`entry ${i + 1} has no path or sha256`);
    const token = typeof r.file_token === 'string' && r.file_token !== '' ? r.file_token : undefined;
    const error = typeof r.error === 'string' && r.error !== '' ? r.error : undefined;
    return { path: r.path, sha256: r.sha256, ...(token && { file_token: token }), ...(error && { error }) };
  });
}

function toCsv(entries: readonly ManifestEntry[]): string {
  const lines = [csvColumns.join(',')];
  for (const e of entries) lines.push(csvColumns.map((c) => csvField(e[c] ?? '')).join(','));
  return lines.join('\n') + '\n';
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
