import { entityLimits } from '../../glossary/wire/entity-body.js';
import { maxImages, urlPattern } from '../../glossary/wire/related-meta-body.js';
import { arr, bool, int, obj, patternOf, ref, str, type Direction, type Schema } from '../json-schema.js';

/**
 * The entity, its parts and the bodies that write it, as src/glossary/wire/entity-body.ts,
 * related-meta-body.ts and entity-json.ts read and write them (field names of the Node SDK 1.74
 * types, namespace lingo). Lengths are in Unicode code points, as JSON Schema counts them. Each
 * part is built twice: `…Input` for requests (null is absent, unknown fields are ignored) and
 * plain for responses (closed).
 */

export const decimalIdPattern = '^[1-9][0-9]{0,18}$';
export const entityIdPattern = '^enterprise_[1-9][0-9]{0,18}$';
/** `enterprise_0` is the path's way to address an entity by provider + outer_id. */
export const entityPathIdPattern = '^enterprise_(0|[1-9][0-9]{0,18})$';

const suffix = (dir: Direction): string => (dir === 'in' ? 'Input' : '');

function term(dir: Direction): Schema {
  return obj(
    dir,
    {
      key: str({ min: 1, max: entityLimits.keyChars, pattern: '\\S', description: 'not blank' }),
      display_status: obj(dir, { allow_highlight: bool('shown highlighted in text'), allow_search: bool('found by match and search') }, [
        'allow_highlight',
        'allow_search',
      ]),
    },
    ['key', 'display_status'],
  );
}

function relatedMeta(dir: Direction): Schema {
  const id = str({ min: 1 });
  const titledUrl = obj(dir, { title: str(), url: str({ pattern: patternOf(urlPattern) }) });
  const lists = {
    users: arr(obj(dir, { id, title: str() }, ['id']), { description: 'user ids, stored and answered as given (no user directory)' }),
    chats: arr(obj(dir, { id }, ['id'])),
    docs: arr(titledUrl),
    oncalls: arr(obj(dir, { id }, ['id'])),
    links: arr(titledUrl),
    abbreviations: arr(obj(dir, { id: str({ pattern: entityIdPattern }) }), { description: 'related entities of this tenant' }),
    classifications: arr(
      dir === 'in'
        ? obj(dir, { id: str({ pattern: decimalIdPattern }), father_id: { description: 'ignored: the server fills it in' } }, ['id'])
        : obj(dir, { id: str({ pattern: decimalIdPattern }), father_id: str({ pattern: decimalIdPattern }) }, ['id']),
      { description: "second-level classifications of the entity's repo, at most one per first-level parent, none repeated" },
    ),
    images: arr(obj(dir, { token: str({ min: 1 }) }, ['token']), {
      max: maxImages,
      description: 'file_tokens uploaded by this tenant (POST /open-apis/lingo/v1/files/upload)',
    }),
  };
  // An answer always carries every list ([] when empty).
  return obj(dir, lists, dir === 'out' ? Object.keys(lists) : []);
}

function outerInfo(dir: Direction): Schema {
  const { providerChars: p, outerIdChars: o } = entityLimits;
  return obj(
    dir,
    {
      provider: str({ min: p.min, max: p.max, pattern: '^[^-]*$', description: 'no "-"' }),
      outer_id: str({ min: o.min, max: o.max, pattern: '^[^-]*$', description: 'no "-"' }),
    },
    ['provider', 'outer_id'],
    'unique per tenant: another entity with the same pair is a 400 on outer_info',
  );
}

function i18nDesc(dir: Direction): Schema {
  const text = str({ min: 1, max: entityLimits.textChars });
  return obj(dir, { language: int({ enum: [1, 2, 3], description: '1 zh, 2 en, 3 ja; each at most once per entity' }), description: text, rich_text: text }, [
    'language',
  ]);
}

/**
 * The body of entity create and replace (`withId` false) and of draft create and update (`withId`
 * true: `id` names the entity the draft overwrites; '' counts as absent).
 */
function entityBody(withId: boolean): Schema {
  const terms = (max: number) => arr(ref('TermInput'), { max });
  const body = obj(
    'in',
    {
      ...(withId && { id: str({ pattern: `^$|${entityIdPattern}`, description: 'the entity this draft overwrites once approved' }) }),
      main_keys: arr(ref('TermInput'), { min: entityLimits.mainKeys, max: entityLimits.mainKeys }),
      full_names: { ...terms(entityLimits.fullNames), description: 'in the Node SDK types only; stored, and echoed only when sent' },
      aliases: terms(entityLimits.aliases),
      description: str({ max: entityLimits.textChars, description: 'ignored when rich_text is given (derived from it)' }),
      rich_text: str({ max: entityLimits.textChars, pattern: '^$|<[pP][\\s>]', description: 'HTML with at least one <p> tag' }),
      related_meta: ref('RelatedMetaInput'),
      outer_info: ref('OuterInfoInput'),
      i18n_descs: arr(ref('I18nDescInput'), { max: entityLimits.i18nDescs }),
    },
    ['main_keys'],
    'Unknown and read-only fields (creator, statistics, source…) are ignored; JSON null is an absent field; no string may hold U+0000.',
  );
  // One of description and rich_text, non-empty.
  const given = (field: string): Schema => ({ type: 'object', required: [field], properties: { [field]: str({ min: 1 }) } });
  return { ...body, anyOf: [given('description'), given('rich_text')] };
}

/** An entity as answered; a draft's entity has an id only when the draft targets one. */
function entityFields(withId: boolean): Schema {
  const time = str({ pattern: '^[0-9]+$', description: 'Unix seconds' });
  const fields = {
    id: str({ pattern: entityIdPattern }),
    main_keys: arr(ref('Term'), { min: 1, max: 1 }),
    full_names: arr(ref('Term'), { description: 'only when the entity was written with full_names' }),
    aliases: arr(ref('Term')),
    description: str(),
    creator: str({ description: 'the app id (tenant token) or user id (user token) that created it' }),
    create_time: time,
    updater: str(),
    update_time: time,
    related_meta: ref('RelatedMeta'),
    statistics: obj('out', { like_count: int({ min: 0 }), dislike_count: int({ min: 0 }) }, ['like_count', 'dislike_count']),
    outer_info: ref('OuterInfo'),
    rich_text: str(),
    source: int({ enum: [1, 2, 3, 4], description: '1 user, 2 bulk import, 3 official, 4 open API' }),
    i18n_descs: arr(ref('I18nDesc')),
  };
  const optional = [...(withId ? [] : ['id']), 'full_names', 'outer_info'];
  return obj(
    'out',
    fields,
    Object.keys(fields).filter((k) => !optional.includes(k)),
  );
}

export function entitySchemas(): Record<string, Schema> {
  const parts: Record<string, Schema> = {};
  for (const dir of ['in', 'out'] as const) {
    parts[`Term${suffix(dir)}`] = term(dir);
    parts[`RelatedMeta${suffix(dir)}`] = relatedMeta(dir);
    parts[`OuterInfo${suffix(dir)}`] = outerInfo(dir);
    parts[`I18nDesc${suffix(dir)}`] = i18nDesc(dir);
  }
  return {
    ...parts,
    EntityBody: entityBody(false),
    DraftBody: entityBody(true),
    Entity: entityFields(true),
    DraftEntity: entityFields(false),
    Draft: obj(
      'out',
      { draft_id: str({ pattern: decimalIdPattern }), entity: ref('DraftEntity') },
      ['draft_id', 'entity'],
      'entity.id is present only when the draft targets an entity',
    ),
  };
}
