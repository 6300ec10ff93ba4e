import path from 'node:path';
import type { FieldViolation } from '../errors/catalogue.js';
import { ApiError } from './api-error.js';
import { AccessGate, ClientRunFailed, credentialsOf, waitsLine } from './client-options.js';
import { uploadImage } from './image-upload.js';
import { upsertEntity } from './import-entity.js';
import { readImportFile, type ImportRow } from './import-rows.js';
import { LingoClient, type RetryPolicy } from './lingo-client.js';
import { isRefusal, readCandidate, refusalOf } from './local-validation.js';
import { Progress, type ClientIo } from './progress.js';

export interface ImportOptions {
  server: string;
  appId: string;
  appSecret: string;
  repoId?: string;
}

/** What became of an image path: uploaded, refused (the row must change), or failed (try again). */
type ImageOutcome = { token: string } | { refused: string } | { failed: string };

type RowOutcome =
  { kind: 'created' | 'updated'; id: string } | { kind: 'refused'; violations: readonly FieldViolation[] } | { kind: 'failed'; message: string };

interface Counts {
  created: number;
  updated: number;
  refused: number;
  failed: number;
}

const summaryOf = (c: Counts): string => `created ${c.created}, updated ${c.updated}, refused ${c.refused}, failed ${c.failed}`;

/**
 * `lingo-server import <entries.csv|entries.jsonl>`: for each row in order, its images are
 * checked and uploaded (each path once per run), then its entry created or updated by outer_info.
 * A refused row is reported with every field_violation the server (or the local image check)
 * gave; the run goes on. Tier-3 limits (100 writes a minute) are met by waiting on 429. Exit
 * status 1 when any row was refused or failed.
 */
export async function importCommand(file: string, opts: ImportOptions, io: ClientIo, policy?: RetryPolicy): Promise<void> {
  const rows = readImportFile(file);
  const client = new LingoClient(credentialsOf(opts), policy);
  if (rows.length > 0) await client.signIn();
  const gate = new AccessGate();
  const images = new ImageCache(client, path.dirname(path.resolve(file)), gate);

  const counts: Counts = { created: 0, updated: 0, refused: 0, failed: 0 };
  const progress = new Progress(io, 'import', rows.length);
  try {
    // One row at a time: rows may share an outer_info (or an image), and order must decide.
    for (const row of rows) {
      const outcome = gate.closed ? ({ kind: 'failed', message: gate.closed } as const) : await importRow(client, row, images, opts.repoId, gate);
      counts[outcome.kind]++;
      progress.item(describe(row, outcome), summaryOf(counts), outcome.kind === 'refused' || outcome.kind === 'failed');
    }
  } finally {
    progress.stop();
  }
  const waits = waitsLine(client.stats);
  if (waits) io.out(waits);
  io.out(summaryOf(counts));
  if (counts.refused + counts.failed > 0) throw new ClientRunFailed(`import: ${counts.refused} row(s) refused, ${counts.failed} failed`);
}

async function importRow(client: LingoClient, row: ImportRow, images: ImageCache, repoId: string | undefined, gate: AccessGate): Promise<RowOutcome> {
  if (row.problems.length > 0) return { kind: 'refused', violations: row.problems };
  if (row.provider === '' || row.outerId === '') {
    return {
      kind: 'refused',
      violations: [{ field: 'outer_info', description: 'provider and outer_id are required: the import finds existing entries by them' }],
    };
  }
  const tokens: string[] = [];
  const refusals: FieldViolation[] = [];
  for (const [i, image] of row.images.entries()) {
    const outcome = await images.upload(image);
    if ('failed' in outcome) return { kind: 'failed', message: `images[${i}] ${image}: ${outcome.failed}` };
    if ('refused' in outcome) refusals.push({ field: `images[${i}]`, description: `${image}: ${outcome.refused}` });
    else tokens.push(outcome.token);
  }
  if (refusals.length > 0) return { kind: 'refused', violations: refusals };
  try {
    return await upsertEntity(client, row, tokens, repoId);
  } catch (err) {
    if (err instanceof ApiError && err.isInvalidParam) {
      return { kind: 'refused', violations: err.fieldViolations.length > 0 ? err.fieldViolations : [{ field: '', description: err.message }] };
    }
    gate.note(err);
    return { kind: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}

function describe(row: ImportRow, outcome: RowOutcome): string {
  const where = `line ${row.line} (key ${JSON.stringify(row.key)})`;
  switch (outcome.kind) {
    case 'created':
    case 'updated':
      return `${outcome.kind} ${where} ${outcome.id}`;
    case 'failed':
      return `failed ${where}: ${outcome.message}`;
    case 'refused':
      return [`refused ${where}:`, ...outcome.violations.map((v) => `  ${v.field ? `${v.field}: ` : ''}${v.description}`)].join('\n');
  }
}

/** Each image path of the run checked and uploaded once, whichever rows name it. */
class ImageCache {
  private readonly outcomes = new Map<string, Promise<ImageOutcome>>();

  constructor(
    private readonly client: LingoClient,
    private readonly baseDir: string,
    private readonly gate: AccessGate,
  ) {}

  upload(image: string): Promise<ImageOutcome> {
    const file = path.resolve(this.baseDir, image);
    let outcome = this.outcomes.get(file);
    if (!outcome) {
      outcome = this.uploadOnce(file);
      this.outcomes.set(file, outcome);
    }
    return outcome;
  }

  private async uploadOnce(file: string): Promise<ImageOutcome> {
    let candidate;
    try {
      candidate = await readCandidate(file);
    } catch (err) {
      // A missing or unreadable file is the import file's to fix: the row is refused.
      return { refused: (err as Error).message };
    }
    if (isRefusal(candidate)) return { refused: candidate.reason };
    const reason = await refusalOf(candidate);
    if (reason) return { refused: reason };
    try {
      return { token: await uploadImage(this.client, candidate) };
    } catch (err) {
      if (err instanceof ApiError && err.isInvalidParam) return { refused: err.message };
      this.gate.note(err);
      // Not cached as final: a later row naming the same image tries again.
      this.outcomes.delete(file);
      return { failed: err instanceof Error ? err.message : String(err) };
    }
  }
}
