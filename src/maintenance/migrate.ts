import { createGlossaryCopy } from '../glossary/create-glossary-store.js';
import { forEachConcurrently } from './concurrently.js';
import { copyFile, type BlobProblem, type StorePair } from './migrate-file.js';
import { emptyGlossaryReport, migrateGlossary, type GlossaryConflict, type GlossaryReport } from './migrate-glossary.js';

export type { StorePair } from './migrate-file.js';
export type { GlossaryConflict, GlossaryCounts, GlossaryReport } from './migrate-glossary.js';

export interface RowCounts {
  copied: number;
  skipped: number;
}

/** Per file row: its blob written, already in the destination, or not copied (missing or damaged). */
export interface BlobCounts extends RowCounts {
  corrupt: number;
}

export interface NotCopied {
  fileToken: string;
  blobKey: string;
  problem: BlobProblem;
}

export interface MigrateReport {
  apps: RowCounts;
  tokens: RowCounts;
  files: RowCounts;
  blobs: BlobCounts;
  /** The file rows left behind because of their blob (the first `maxListed`; `blobs.corrupt` counts them all). */
  notCopied: NotCopied[];
  /** Per glossary table (entities' keys, images and classifications each their own). */
  glossary: GlossaryReport;
  /** Glossary rows the destination holds differently (the first `maxListed`); the copy stopped after their table. */
  glossaryConflicts: GlossaryConflict[];
}

export interface MigrateOptions {
  /** Items copied at once: each holds at most one blob's stream (small blobs are held whole). */
  concurrency?: number;
  /** Called after each item, with the counts so far (not a copy: read, do not keep). */
  onProgress?: (report: Readonly<MigrateReport>) => void;
}

export const defaultMigrateConcurrency = 8;
const maxListed = 1000;

/**
 * Copies every row (apps, then the tokens that reference them, then files, then the glossary)
 * and every blob a file row references from `source` into `destination`; both are open, the
 * source exclusively (its recovery has run, so journaled rows are in its table). Each row is
 * looked up by its key first: a second run copies nothing, and a run killed at any point resumes
 * where the destination stands, with no progress file (files: see copyFile; the glossary, ids
 * kept: see migrateGlossary). Blobs that no row references are left behind, as gc would remove
 * them.
 */
export async function migrate(source: StorePair, destination: StorePair, options: MigrateOptions = {}): Promise<MigrateReport> {
  const concurrency = options.concurrency ?? defaultMigrateConcurrency;
  const report: MigrateReport = {
    apps: { copied: 0, skipped: 0 },
    tokens: { copied: 0, skipped: 0 },
    files: { copied: 0, skipped: 0 },
    blobs: { copied: 0, skipped: 0, corrupt: 0 },
    notCopied: [],
    glossary: emptyGlossaryReport(),
    glossaryConflicts: [],
  };
  const progress = (): void => options.onProgress?.(report);

  for (const app of await source.meta.listApps()) {
    report.apps[(await destination.meta.insertApp(app)) === 'ok' ? 'copied' : 'skipped']++;
    progress();
  }

  await forEachConcurrently(source.meta.listTokens(), concurrency, async (token) => {
    const present = (await destination.meta.findToken(token.tokenHash)) !== undefined;
    if (!present) await destination.meta.insertToken(token);
    report.tokens[present ? 'skipped' : 'copied']++;
    progress();
  });

  await forEachConcurrently(source.meta.listFiles(), concurrency, async (row) => {
    const outcome = await copyFile(row, source, destination);
    if ('problem' in outcome) {
      report.blobs.corrupt++;
      if (report.notCopied.length < maxListed) report.notCopied.push({ fileToken: row.fileToken, blobKey: row.blobKey, problem: outcome.problem });
    } else {
      report.files[outcome.file]++;
      report.blobs[outcome.blob]++;
    }
    progress();
  });

  await migrateGlossary(createGlossaryCopy(source.meta), createGlossaryCopy(destination.meta), {
    counts: report.glossary,
    conflicts: report.glossaryConflicts,
    progress,
  });
  return report;
}
