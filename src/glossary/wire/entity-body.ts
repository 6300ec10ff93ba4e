import type { EntityContent, I18nDesc, Language, OuterInfo, Term } from '../model.js';
import { member, readArray, readBoolean, readBoundedString, readObject, readObjects, readString, Violations, type JsonObject } from './body-fields.js';
import { isEntityId, readRelatedMeta } from './related-meta-body.js';
import { hasParagraph, plainTextOf, richTextFromDescription } from './rich-text.js';

/**
 * The body of entity create/update (spec §3, §4) and draft create/update (§13, §14): every rule
 * that needs no database, all violations of a body reported in one 400. Unknown and read-only
 * fields are ignored (§1.3: Go sends the whole Entity struct); JSON null is an absent field.
 *
 * Lengths count Unicode code points. Decisions where the docs are silent:
 * - a key (main key, full name, alias) is 1–100 characters, like match's `word`, and not blank;
 * - `full_names` (Node SDK only) takes at most 10 items, like `aliases`;
 * - `i18n_descs` languages are unique (one description per language);
 * - the `<p>` rule of rich text applies to every write, not only create (derived text must render);
 * - an empty `description` or `rich_text` counts as not given;
 * - related_meta lists other than images have no count limit beyond the body size cap.
 */
export type EntityBodyKind = 'entity' | 'draft-create' | 'draft-update';

export interface ParsedEntityBody {
  content: EntityContent;
  /** Drafts: the body's `id`, the wire id (`enterprise_<digits>`) of the entity to overwrite. */
  targetId: string | null;
}

export const entityLimits = {
  mainKeys: 1,
  aliases: 10,
  fullNames: 10,
  keyChars: 100,
  textChars: 5000,
  i18nDescs: 3,
  providerChars: { min: 2, max: 32 },
  outerIdChars: { min: 1, max: 64 },
} as const;

export function parseEntityBody(body: Record<string, unknown>, kind: EntityBodyKind): ParsedEntityBody {
  const out = new Violations();
  const mainKeys = readMainKeys(body, out);
  const fullNames = member(body, 'full_names') === undefined ? null : (readTerms(body, 'full_names', out, entityLimits.fullNames) ?? []);
  const aliases = readTerms(body, 'aliases', out, entityLimits.aliases) ?? [];
  const description = readText(body, 'description', out);
  const richText = readRichText(body, 'rich_text', out);
  if (!description && !richText && validOrAbsent(body, 'description', out) && validOrAbsent(body, 'rich_text', out)) {
    out.add('description', 'description or rich_text is required');
  }
  const relatedMeta = readRelatedMeta(member(body, 'related_meta'), out);
  // Not part of a draft update's body (§14); a Go client may send it anyway.
  const outerInfo = kind === 'draft-update' ? null : readOuterInfo(member(body, 'outer_info'), out);
  const i18nDescs = readI18nDescs(member(body, 'i18n_descs'), out);
  const targetId = kind === 'entity' ? null : readTargetId(member(body, 'id'), out);
  out.throwIfAny();

  const mainKey = mainKeys[0]?.key ?? '';
  const content: EntityContent = {
    mainKeys,
    fullNames,
    aliases,
    // Rich text wins: given rich text, Feishu ignores the description and derives it (§3).
    description: richText ? plainTextOf(richText) : (description ?? ''),
    richText: richText || richTextFromDescription(mainKey, description ?? ''),
    relatedMeta,
    outerInfo,
    i18nDescs,
  };
  return { content, targetId };
}

/** True when `body[key]` is absent or was read without a violation (so "neither given" is fair to say). */
function validOrAbsent(body: JsonObject, key: string, out: Violations): boolean {
  return member(body, key) === undefined || !out.list.some((v) => v.field === key);
}

/** `main_keys`: required, exactly one Term. */
function readMainKeys(body: JsonObject, out: Violations): Term[] {
  const value = member(body, 'main_keys');
  if (value === undefined) {
    out.add('main_keys', 'is required');
    return [];
  }
  if (Array.isArray(value) && value.length === 0) out.add('main_keys', 'must have exactly 1 item (has 0)');
  return readTerms(body, 'main_keys', out, entityLimits.mainKeys) ?? [];
}

function readTerms(body: JsonObject, key: string, out: Violations, max: number): Term[] | undefined {
  const items = readArray(member(body, key), key, out);
  if (items === undefined) return undefined;
  if (items.length > max) {
    out.add(key, max === 1 ? `must have exactly 1 item (has ${items.length})` : `must have at most ${max} items (has ${items.length})`);
    return undefined;
  }
  return readObjects(items, key, out, (item, path) => readTerm(item, path, out));
}

function readTerm(item: JsonObject, path: string, out: Violations): Term | undefined {
  const keyField = `${path}.key`;
  let key: string | undefined;
  if (member(item, 'key') === undefined) out.add(keyField, 'is required');
  else {
    key = readBoundedString(member(item, 'key'), keyField, out, 1, entityLimits.keyChars);
    if (key !== undefined && key.trim() === '') {
      out.add(keyField, 'must not be blank');
      key = undefined;
    }
  }
  const statusField = `${path}.display_status`;
  const status = readObject(member(item, 'display_status'), statusField, out);
  if (member(item, 'display_status') === undefined) out.add(statusField, 'is required');
  const flag = (name: string): boolean | undefined => {
    if (status === undefined) return undefined;
    const value = member(status, name);
    if (value === undefined) out.add(`${statusField}.${name}`, 'is required');
    return readBoolean(value, `${statusField}.${name}`, out);
  };
  const allowHighlight = flag('allow_highlight');
  const allowSearch = flag('allow_search');
  if (key === undefined || allowHighlight === undefined || allowSearch === undefined) return undefined;
  return { key, displayStatus: { allowHighlight, allowSearch } };
}

/** `description`: at most 5000 characters; '' when empty or absent. */
function readText(body: JsonObject, key: string, out: Violations): string | undefined {
  return readBoundedString(member(body, key), key, out, 0, entityLimits.textChars);
}

/** `rich_text`: at most 5000 characters with at least one `<p>`; '' counts as not given. */
function readRichText(body: JsonObject, key: string, out: Violations): string | undefined {
  const text = readText(body, key, out);
  if (!text) return text;
  if (!hasParagraph(text)) {
    out.add(key, 'must contain at least one <p> tag');
    return undefined;
  }
  return text;
}

function readOuterInfo(value: unknown, out: Violations): OuterInfo | null {
  const obj = readObject(value, 'outer_info', out);
  if (obj === undefined) return null;
  const part = (key: string, limits: { min: number; max: number }): string | undefined => {
    const field = `outer_info.${key}`;
    if (member(obj, key) === undefined) {
      out.add(field, 'is required');
      return undefined;
    }
    const s = readBoundedString(member(obj, key), field, out, limits.min, limits.max);
    if (s?.includes('-')) {
      out.add(field, 'must not contain "-"');
      return undefined;
    }
    return s;
  };
  const provider = part('provider', entityLimits.providerChars);
  const outerId = part('outer_id', entityLimits.outerIdChars);
  return provider === undefined || outerId === undefined ? null : { provider, outerId };
}

function readI18nDescs(value: unknown, out: Violations): I18nDesc[] {
  const items = readArray(value, 'i18n_descs', out, entityLimits.i18nDescs);
  if (items === undefined) return [];
  const seen = new Map<Language, string>();
  return readObjects(items, 'i18n_descs', out, (item, path) => {
    const languageField = `${path}.language`;
    const language = member(item, 'language');
    const description = readBoundedString(member(item, 'description'), `${path}.description`, out, 1, entityLimits.textChars);
    const richText = readBoundedString(member(item, 'rich_text'), `${path}.rich_text`, out, 1, entityLimits.textChars);
    if (language === undefined) return void out.add(languageField, 'is required');
    if (language !== 1 && language !== 2 && language !== 3) return void out.add(languageField, 'must be 1 (zh), 2 (en) or 3 (ja)');
    const earlier = seen.get(language);
    if (earlier !== undefined) return void out.add(languageField, `repeats the language of ${earlier}`);
    seen.set(language, path);
    return { language, ...(description !== undefined && { description }), ...(richText !== undefined && { richText }) };
  });
}

/** A draft's `id`: the entity to overwrite once approved; '' counts as absent. */
function readTargetId(value: unknown, out: Violations): string | null {
  const id = readString(value, 'id', out);
  if (!id) return null;
  if (!isEntityId(id)) {
    out.add('id', 'must be an entity id: enterprise_ followed by a positive decimal number');
    return null;
  }
  return id;
}
