import { entityWireId, type ClassificationRecord, type DraftRecord, type EntityContent, type EntityRecord, type RepoRecord, type Term } from '../model.js';

/**
 * Domain records as Feishu JSON, field for field as the Node SDK 1.74 types declare them
 * (types/index.d.ts, namespace lingo). Times are strings of Unix seconds. Lists are always
 * arrays, empty ones included, never omitted or null: the Python SDK accepts an array or null,
 * Go a slice either way, and a JavaScript client can read `.length` without a guard.
 */
export function entityJson(e: EntityRecord): Record<string, unknown> {
  return entityObject(e.content, {
    id: entityWireId(e.seq),
    creator: e.creator,
    updater: e.updater,
    createdAtMs: e.createdAtMs,
    updatedAtMs: e.updatedAtMs,
    source: e.source,
  });
}

/**
 * `{draft_id, entity}`: the proposed entity. Its `id` is the entity the draft overwrites (or, once
 * approved, the one it created); a draft for a new entity has none (spec §13 Decision). Creator
 * and updater are the draft's submitter, the times the draft's, the source 4 (open API).
 */
export function draftJson(d: DraftRecord): { draft_id: string; entity: Record<string, unknown> } {
  const seq = d.targetSeq ?? d.entitySeq;
  return {
    draft_id: d.draftId,
    entity: entityObject(d.content, {
      id: seq === null ? undefined : entityWireId(seq),
      creator: d.creator,
      updater: d.creator,
      createdAtMs: d.createdAtMs,
      updatedAtMs: d.updatedAtMs,
      source: 4,
    }),
  };
}

export function repoJson(r: RepoRecord): Record<string, unknown> {
  return { id: r.id, name: r.name };
}

/** `father_id` only on second-level items; `i18n_names` only when there are any. */
export function classificationJson(c: ClassificationRecord): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    ...(c.fatherId !== null && { father_id: c.fatherId }),
    ...(c.i18nNames.length > 0 && { i18n_names: c.i18nNames.map((n) => ({ language: n.language, name: n.name })) }),
  };
}

interface EntityEnvelope {
  id: string | undefined;
  creator: string;
  updater: string;
  createdAtMs: number;
  updatedAtMs: number;
  source: number;
}

function entityObject(c: EntityContent, env: EntityEnvelope): Record<string, unknown> {
  const m = c.relatedMeta;
  return {
    ...(env.id !== undefined && { id: env.id }),
    main_keys: c.mainKeys.map(termJson),
    ...(c.fullNames !== null && { full_names: c.fullNames.map(termJson) }),
    aliases: c.aliases.map(termJson),
    description: c.description,
    creator: env.creator,
    create_time: unixSeconds(env.createdAtMs),
    updater: env.updater,
    update_time: unixSeconds(env.updatedAtMs),
    related_meta: {
      users: m.users.map((u) => ({ id: u.id, ...(u.title !== undefined && { title: u.title }) })),
      chats: m.chats.map((x) => ({ id: x.id })),
      docs: m.docs.map(titledUrl),
      oncalls: m.oncalls.map((x) => ({ id: x.id })),
      links: m.links.map(titledUrl),
      abbreviations: m.abbreviations.map((a) => (a.id === undefined ? {} : { id: a.id })),
      classifications: m.classifications.map((x) => ({ id: x.id, ...(x.fatherId !== undefined && { father_id: x.fatherId }) })),
      images: m.images.map((x) => ({ token: x.token })),
    },
    statistics: { like_count: 0, dislike_count: 0 },
    ...(c.outerInfo !== null && { outer_info: { provider: c.outerInfo.provider, outer_id: c.outerInfo.outerId } }),
    rich_text: c.richText,
    source: env.source,
    i18n_descs: c.i18nDescs.map((d) => ({
      language: d.language,
      ...(d.description !== undefined && { description: d.description }),
      ...(d.richText !== undefined && { rich_text: d.richText }),
    })),
  };
}

function termJson(t: Term): Record<string, unknown> {
  return { key: t.key, display_status: { allow_highlight: t.displayStatus.allowHighlight, allow_search: t.displayStatus.allowSearch } };
}

function titledUrl(x: { title?: string; url?: string }): Record<string, unknown> {
  return { ...(x.title !== undefined && { title: x.title }), ...(x.url !== undefined && { url: x.url }) };
}

/** Feishu's time format: whole seconds since the epoch, as a string. */
function unixSeconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}
