import {
  entityParts,
  glossaryTables,
  identityTables,
  type CopyRow,
  type EntityPart,
  type GlossaryCopy,
  type GlossaryTable,
  type WriteOutcome,
} from '../glossary/glossary-copy.js';

export interface GlossaryCounts {
  copied: number;
  skipped: number;
  /** Rows the destination holds differently under the same key: not copied (see GlossaryConflict). */
  conflicts: number;
}

export type GlossaryReport = Record<GlossaryTable, GlossaryCounts>;

/** A row that could not be copied with its id, named by its table and key columns. */
export interface GlossaryConflict {
  table: GlossaryTable;
  key: CopyRow;
}

export function emptyGlossaryReport(): GlossaryReport {
  const tables = Object.keys(glossaryTables) as GlossaryTable[];
  return Object.fromEntries(tables.map((t) => [t, { copied: 0, skipped: 0, conflicts: 0 }])) as GlossaryReport;
}

/** Rows read and written at a time; entities come with up to 25 derived rows each. */
export interface GlossaryBatches {
  rows: number;
  entities: number;
}
const defaultBatches: GlossaryBatches = { rows: 500, entities: 200 };
const maxListed = 1000;

export interface GlossaryProgress {
  counts: GlossaryReport;
  conflicts: GlossaryConflict[];
  /** After each batch. */
  progress(): void;
}

/**
 * Copies the glossary's tables from `source` to `destination` with every id kept: entity ids
 * (`enterprise_<seq>`), draft, repo and classification ids are on the wire, and page tokens
 * carry seqs and classification ids (the page-token key itself is copied too, so tokens issued
 * before the move still open). First each identity counter of the destination is raised to the
 * source's, so that no id the source ever gave (a deleted entity's included) is given again, and
 * no server on the destination can take one of the ids being copied.
 *
 * Idempotent and resumable: rows already there and equal are skipped, and each batch is one
 * transaction (an entity with its keys, images and classifications whole or not at all). A row
 * the destination holds differently is a conflict; the copy then stops after that table, since
 * the later tables may refer to the row it could not copy, and the caller reports it.
 */
export async function migrateGlossary(
  source: GlossaryCopy,
  destination: GlossaryCopy,
  out: GlossaryProgress,
  batches: GlossaryBatches = defaultBatches,
): Promise<void> {
  await raiseIdentities(source, destination);
  for (const table of Object.keys(glossaryTables) as GlossaryTable[]) {
    if ((entityParts as readonly string[]).includes(table)) continue; // copied with their entities
    if (table === 'entities') await copyEntities(source, destination, out, batches.entities);
    else await copyTable(table, source, destination, out, batches.rows);
    if (Object.values(out.counts).some((c) => c.conflicts > 0)) return;
  }
  // Again at the end: harmless, and it covers a destination emptied and refilled meanwhile.
  await raiseIdentities(source, destination);
}

async function raiseIdentities(source: GlossaryCopy, destination: GlossaryCopy): Promise<void> {
  for (const table of identityTables) await destination.raiseIdentity(table, await source.identityHighWater(table));
}

async function copyTable(table: GlossaryTable, source: GlossaryCopy, destination: GlossaryCopy, out: GlossaryProgress, batch: number): Promise<void> {
  let after: CopyRow | null = null;
  for (;;) {
    const rows = await source.readRows(table, after, batch);
    if (rows.length === 0) return;
    count(out, table, await destination.writeRows(table, rows));
    out.progress();
    after = rows[rows.length - 1]!;
  }
}

async function copyEntities(source: GlossaryCopy, destination: GlossaryCopy, out: GlossaryProgress, batch: number): Promise<void> {
  let after: CopyRow | null = null;
  for (;;) {
    const entities = await source.readRows('entities', after, batch);
    if (entities.length === 0) return;
    const seqs = entities.map((e) => e.seq as number);
    const parts = {} as Record<EntityPart, CopyRow[]>;
    for (const table of entityParts) parts[table] = await source.readEntityParts(table, seqs);
    const outcomes = await destination.writeEntities(entities, parts);
    for (const [table, outcome] of Object.entries(outcomes) as [GlossaryTable, WriteOutcome][]) count(out, table, outcome);
    out.progress();
    after = entities[entities.length - 1]!;
  }
}

function count(out: GlossaryProgress, table: GlossaryTable, outcome: WriteOutcome): void {
  const c = out.counts[table];
  c.copied += outcome.copied;
  c.skipped += outcome.skipped;
  c.conflicts += outcome.conflicts.length;
  for (const key of outcome.conflicts) if (out.conflicts.length < maxListed) out.conflicts.push({ table, key });
}
