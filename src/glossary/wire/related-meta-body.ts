import { isPositiveInt64 } from '../decimal-id.js';
import { entitySeqOf, type RelatedMeta } from '../model.js';
import { member, readArray, readObject, readObjects, readString, type JsonObject, type Violations } from './body-fields.js';

/** Spec §3: at most 10 images. The other lists have no documented bound; the body cap bounds them. */
export const maxImages = 10;

/** Spec §3, verbatim, anchored: the whole url must match. */
export const urlPattern = /^(?:https?|ftp|file):\/\/[-A-Za-z0-9+&@#/%?=~_|!:,.;]+[-A-Za-z0-9+&@#/%=~_|]$/;

export function isValidUrl(url: string): boolean {
  return urlPattern.test(url);
}

export function emptyRelatedMeta(): RelatedMeta {
  return { users: [], chats: [], docs: [], oncalls: [], links: [], abbreviations: [], classifications: [], images: [] };
}

/**
 * `related_meta` of an entity or draft body (request variant, spec §17.3). Shapes only: that
 * images, classifications and abbreviations exist is entity-references.ts's job. A classification's
 * `father_id` is not read: the server knows each parent and fills it in.
 */
export function readRelatedMeta(value: unknown, out: Violations): RelatedMeta {
  const meta = emptyRelatedMeta();
  const obj = readObject(value, 'related_meta', out);
  if (obj === undefined) return meta;
  const list = <T>(key: keyof RelatedMeta, readItem: (item: JsonObject, path: string) => T | undefined, max?: number): T[] => {
    const field = `related_meta.${key}`;
    const items = readArray(member(obj, key), field, out, max);
    return items === undefined ? [] : readObjects(items, field, out, readItem);
  };
  const requiredId = (item: JsonObject, path: string): string | undefined => readRequiredString(item, 'id', `${path}.id`, out);

  meta.users = list('users', (item, path) => {
    const id = requiredId(item, path);
    const title = readString(member(item, 'title'), `${path}.title`, out);
    if (id === undefined) return undefined;
    return title === undefined ? { id } : { id, title };
  });
  meta.chats = list('chats', (item, path) => {
    const id = requiredId(item, path);
    return id === undefined ? undefined : { id };
  });
  meta.oncalls = list('oncalls', (item, path) => {
    const id = requiredId(item, path);
    return id === undefined ? undefined : { id };
  });
  meta.docs = list('docs', (item, path) => readTitledUrl(item, path, out));
  meta.links = list('links', (item, path) => readTitledUrl(item, path, out));
  meta.abbreviations = list('abbreviations', (item, path) => {
    const id = readString(member(item, 'id'), `${path}.id`, out);
    if (id === undefined) return member(item, 'id') === undefined ? {} : undefined;
    if (!isEntityId(id)) return void out.add(`${path}.id`, 'must be an entity id: enterprise_ followed by a positive decimal number');
    return { id };
  });
  const seenClassifications = new Map<string, string>();
  meta.classifications = list('classifications', (item, path) => {
    const field = `${path}.id`;
    const id = readRequiredString(item, 'id', field, out);
    if (id === undefined) return undefined;
    if (!isPositiveInt64(id)) return void out.add(field, 'must be a classification id: a positive 64-bit integer in decimal digits');
    const earlier = seenClassifications.get(id);
    if (earlier !== undefined) return void out.add(field, `repeats ${earlier}`);
    seenClassifications.set(id, field);
    return { id };
  });
  meta.images = list(
    'images',
    (item, path) => {
      const token = readRequiredString(item, 'token', `${path}.token`, out);
      return token === undefined ? undefined : { token };
    },
    maxImages,
  );
  return meta;
}

/** `enterprise_<digits>` naming a real entity: enterprise_0 is the outer_info sentinel, never an entity. */
export function isEntityId(id: string): boolean {
  const seq = entitySeqOf(id);
  return seq !== undefined && seq !== '0';
}

/** `item[key]`, a required, non-empty string; `field` is its path in the body. */
function readRequiredString(item: JsonObject, key: string, field: string, out: Violations): string | undefined {
  const value = member(item, key);
  if (value === undefined) {
    out.add(field, 'is required');
    return undefined;
  }
  const s = readString(value, field, out);
  if (s === '') out.add(field, 'must not be empty');
  return s === '' ? undefined : s;
}

function readTitledUrl(item: JsonObject, path: string, out: Violations): { title?: string; url?: string } | undefined {
  const title = readString(member(item, 'title'), `${path}.title`, out);
  const url = readString(member(item, 'url'), `${path}.url`, out);
  if (url !== undefined && !isValidUrl(url)) {
    out.add(`${path}.url`, 'must match (https?|ftp|file)://[-A-Za-z0-9+&@#/%?=~_|!:,.;]+[-A-Za-z0-9+&@#/%=~_|]');
    return undefined;
  }
  if (member(item, 'title') !== undefined && title === undefined) return undefined;
  if (member(item, 'url') !== undefined && url === undefined) return undefined;
  return { ...(title !== undefined && { title }), ...(url !== undefined && { url }) };
}
