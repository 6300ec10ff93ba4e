import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LingoError } from '../../../../src/errors/lingo-error.js';
import { parseEntityBody, type EntityBodyKind } from '../../../../src/glossary/wire/entity-body.js';
import { hasParagraph } from '../../../../src/glossary/wire/rich-text.js';

/**
 * parseEntityBody on arbitrary JSON: it returns, or throws a 400 2250001 whose every
 * field_violation names a path into the body. Bodies are mostly the documented shape with any
 * part swapped for arbitrary JSON, so the generator reaches deep paths rather than stopping at a
 * missing main_keys.
 */
const junk = fc.jsonValue({ maxDepth: 2 });
const record = <T extends Record<string, fc.Arbitrary<unknown>>>(shape: T) => fc.record(shape, { requiredKeys: [] });
const array = <T>(item: fc.Arbitrary<T>, max: number) => fc.array(item, { maxLength: max });

/** Valid bodies, every optional field sometimes there. */
const term = fc.record({
  key: fc.stringMatching(/^[a-z0-9 😀]{0,4}[a-z]$/u),
  display_status: fc.record({ allow_highlight: fc.boolean(), allow_search: fc.boolean() }),
});
const entityId = fc.integer({ min: 1, max: 1e9 }).map((n) => `enterprise_${n}`);
const titledUrl = record({ title: fc.string({ maxLength: 5 }), url: fc.constantFrom('https://a.example/x?y=1', 'ftp://files/a') });
const validBody = fc.record(
  {
    main_keys: fc.tuple(term),
    full_names: array(term, 3),
    aliases: array(term, 10),
    description: fc.string({ maxLength: 30 }),
    rich_text: fc.constantFrom('<p>x</p>', '<P class="y">a &amp; b</P>'),
    related_meta: record({
      users: array(record({ id: fc.constantFrom('ou_1', 'ou_2'), title: fc.string({ maxLength: 5 }) }), 3).map((us) =>
        us.map((u) => ({ ...u, id: u.id ?? 'ou_3' })),
      ),
      chats: array(fc.record({ id: fc.constant('oc_1') }), 2),
      docs: array(titledUrl, 2),
      oncalls: array(fc.record({ id: fc.constant('7023') }), 2),
      links: array(titledUrl, 2),
      abbreviations: array(record({ id: entityId }), 2),
      classifications: fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 3 }).map((ids) => ids.map((n) => ({ id: String(n) }))),
      images: array(fc.record({ token: fc.constant('boxbc') }), 10),
    }),
    outer_info: fc.record({ provider: fc.constantFrom('crm', 'ab'), outer_id: fc.stringMatching(/^[a-z0-9_]{1,10}$/) }),
    i18n_descs: fc.uniqueArray(fc.constantFrom(1, 2, 3), { maxLength: 3 }).map((ls) => ls.map((language) => ({ language, description: 'd' }))),
    id: entityId,
    unknown_field: junk,
  },
  { requiredKeys: ['main_keys'] },
);

/** Every place in a JSON value, as the key path that reaches it. */
function places(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...at, k], ...places(v, [...at, k])]);
}

/** A valid body with 0–3 of its places replaced by arbitrary JSON, removed, or given a string near a limit. */
const body = fc
  .tuple(
    validBody,
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.oneof(junk, fc.constant(undefined), fc.constant(null), fc.string({ minLength: 99, maxLength: 102 }), fc.constantFrom('', 'a-b', '<div>', '0')),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([b, edits]) => {
    const copy = JSON.parse(JSON.stringify(b)) as Record<string, unknown>;
    for (const [n, replacement] of edits) {
      const all = places(copy);
      const path = all[n % Math.max(1, all.length)];
      if (!path) continue;
      let parent: any = copy;
      for (const step of path.slice(0, -1)) parent = parent[step];
      const last = path[path.length - 1]!;
      if (replacement === undefined && !Array.isArray(parent)) delete parent[last];
      else parent[last] = replacement ?? null;
    }
    return copy;
  });
const kind = fc.constantFrom<EntityBodyKind>('entity', 'draft-create', 'draft-update');
/** As it arrives: through JSON text, so no undefined, -0 or shared references survive. */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

/** `a.b[2].c` → ['a', 'b', 2, 'c']; throws on anything that is not such a path. */
function segments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /([a-z_0-9]+)|\[(\d+)\]|\./gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    at = re.lastIndex;
  }
  if (at !== path.length || path === '') throw new Error(`not a path: ${path}`);
  return out;
}

/** True when every step but the last exists in `root`, and the last is a key of an object or an index in range. */
function isPathInto(root: unknown, path: string): boolean {
  const steps = segments(path);
  let node = root;
  for (const [i, step] of steps.entries()) {
    const last = i === steps.length - 1;
    if (typeof step === 'number') {
      if (!Array.isArray(node) || step >= node.length) return false;
      node = node[step];
    } else {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return false;
      if (!last && !Object.hasOwn(node, step)) return false;
      node = (node as Record<string, unknown>)[step];
    }
  }
  return true;
}

function check(input: Record<string, unknown>, k: EntityBodyKind): void {
  let parsed;
  try {
    parsed = parseEntityBody(input, k);
  } catch (err) {
    expect(err).toBeInstanceOf(LingoError);
    const e = err as LingoError;
    expect(e.key).toBe('invalidParam');
    const violations = e.details.fieldViolations ?? [];
    expect(violations.length).toBeGreaterThan(0);
    for (const v of violations) {
      expect(isPathInto(input, v.field), `${v.field} in ${JSON.stringify(input).slice(0, 300)}`).toBe(true);
      expect(v.description.length).toBeGreaterThan(0);
    }
    return;
  }
  const c = parsed.content;
  expect(c.mainKeys).toHaveLength(1);
  expect(hasParagraph(c.richText)).toBe(true);
  expect(c.aliases.length).toBeLessThanOrEqual(10);
  expect(c.relatedMeta.images.length).toBeLessThanOrEqual(10);
  expect(c.i18nDescs.length).toBeLessThanOrEqual(3);
  if (k === 'draft-update') expect(c.outerInfo).toBeNull();
  if (k === 'entity') expect(parsed.targetId).toBeNull();
}

describe('parseEntityBody on arbitrary JSON', () => {
  it('throws only 400 2250001, with every violation on a path into the body', () => {
    fc.assert(
      fc.property(body, kind, (b, k) => check(asJson(b), k)),
      { numRuns: 1000 },
    );
  });

  it('does the same for bodies with no shape at all', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('main_keys', 'aliases', 'description', 'rich_text', 'related_meta', 'i18n_descs', 'outer_info', 'id', 'x'), junk),
        kind,
        (b, k) => check(asJson(b), k),
      ),
      { numRuns: 500 },
    );
  });

  it('accepts some generated bodies and refuses others, so the checks above are not vacuous', () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, kind, (b, k) => {
        try {
          parseEntityBody(asJson(b), k);
          accepted++;
        } catch {
          // refused: counted as the rest
        }
      }),
      { numRuns: 300, seed: 17 },
    );
    expect(accepted).toBeGreaterThan(30);
    expect(accepted).toBeLessThan(270);
  });
});

describe('isPathInto (the oracle above)', () => {
  it('tells paths into a body from others', () => {
    const b = { a: [{ b: 1 }], c: {} };
    expect(isPathInto(b, 'a[0].b')).toBe(true);
    expect(isPathInto(b, 'a[0].missing')).toBe(true);
    expect(isPathInto(b, 'c.x')).toBe(true);
    expect(isPathInto(b, 'a[1].b')).toBe(false);
    expect(isPathInto(b, 'x.y')).toBe(false);
    expect(isPathInto(b, 'a.b')).toBe(false);
    expect(() => isPathInto(b, 'a..b[')).toThrow();
  });
});
