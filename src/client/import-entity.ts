import { ApiError } from './api-error.js';
import type { ImportRow } from './import-rows.js';
import type { LingoClient } from './lingo-client.js';

const entitiesPath = '/open-apis/lingo/v1/entities';

type Json = Record<string, unknown>;

export type Upserted = { kind: 'created' | 'updated'; id: string };

/**
 * Creates or updates the entry of `row`, found by its outer_info: GET enterprise_0 with
 * provider + outer_id, then PUT (a full replace) when it exists, else POST. Rows are imported
 * one at a time, so two rows with the same outer_info update one entry instead of racing to
 * create it. Errors are the server's (an ApiError whose field_violations say what to fix).
 */
export async function upsertEntity(client: LingoClient, row: ImportRow, imageTokens: readonly string[], repoId: string | undefined): Promise<Upserted> {
  const existing = await findByOuterInfo(client, row.provider, row.outerId);
  const body = entityRequestBody(row, imageTokens, existing);
  if (existing && typeof existing.id === 'string') {
    const data = await client.call<{ entity?: Json }>({
      method: 'PUT',
      path: `${entitiesPath}/${encodeURIComponent(existing.id)}`,
      json: body,
      repeatable: true,
    });
    return { kind: 'updated', id: idOf(data.entity) };
  }
  // Not repeatable after a broken connection: a create that went through would be refused for its
  // outer_info the second time, and the row reported refused although it was imported.
  const data = await client.call<{ entity?: Json }>({ method: 'POST', path: entitiesPath, query: { repo_id: repoId }, json: body, repeatable: false });
  return { kind: 'created', id: idOf(data.entity) };
}

/** The entry with this outer_info, or undefined. The server answers 400 2250001 for "none". */
async function findByOuterInfo(client: LingoClient, provider: string, outerId: string): Promise<Json | undefined> {
  try {
    const data = await client.call<{ entity?: Json }>({
      method: 'GET',
      path: `${entitiesPath}/enterprise_0`,
      query: { provider, outer_id: outerId },
      repeatable: true,
    });
    return data.entity;
  } catch (err) {
    // A malformed provider or outer_id also lands here: the create that follows names the field.
    if (err instanceof ApiError && err.isInvalidParam) return undefined;
    throw err;
  }
}

/**
 * The entity of a row. The file owns the fields it has columns for (main key, aliases,
 * description, images, outer_info); an update keeps what the file cannot express: the other
 * related_meta lists (users, docs, classifications…), full names, i18n descriptions, and each
 * key's display_status (new keys are shown in search and highlighted). rich_text is not kept: it
 * would win over the file's description, so the server derives it from the description instead.
 */
export function entityRequestBody(row: ImportRow, imageTokens: readonly string[], existing: Json | undefined): Json {
  const known = new Map<string, unknown>();
  for (const list of ['main_keys', 'aliases', 'full_names']) {
    for (const term of arrayOf(existing?.[list])) if (typeof term.key === 'string') known.set(term.key, term.display_status);
  }
  const term = (key: string): Json => ({ key, display_status: known.get(key) ?? { allow_highlight: true, allow_search: true } });
  const keptMeta = { ...(objectOf(existing?.related_meta) ?? {}) };
  delete keptMeta.images;
  return {
    main_keys: [term(row.key)],
    aliases: row.aliases.map(term),
    description: row.description,
    related_meta: { ...keptMeta, images: [...new Set(imageTokens)].map((token) => ({ token })) },
    outer_info: { provider: row.provider, outer_id: row.outerId },
    ...(existing?.full_names !== undefined && { full_names: existing.full_names }),
    ...(existing?.i18n_descs !== undefined && { i18n_descs: existing.i18n_descs }),
  };
}

function idOf(entity: Json | undefined): string {
  return typeof entity?.id === 'string' ? entity.id : '?';
}

function objectOf(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function arrayOf(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(objectOf).filter((v): v is Json => v !== undefined) : [];
}
