/**
 * Small builders for the JSON Schema 2020-12 objects of the OpenAPI 3.1 document. Requests and
 * responses differ in two ways that every builder here knows about:
 * - a request field the server reads as absent when it is JSON null (body-fields.ts `member`) is
 *   typed `[T, "null"]`, and unknown request fields are allowed (the server ignores them);
 * - a response object lists exactly what the server sends (`additionalProperties: false`), so a
 *   field added to the wire without its schema fails the end-to-end check.
 */
export type Schema = { [key: string]: unknown };

export type Direction = 'in' | 'out';

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export function str(opts: { min?: number; max?: number; pattern?: string; description?: string; examples?: string[] } = {}): Schema {
  return {
    type: 'string',
    ...(opts.min !== undefined && { minLength: opts.min }),
    ...(opts.max !== undefined && { maxLength: opts.max }),
    ...(opts.pattern !== undefined && { pattern: opts.pattern }),
    ...(opts.description !== undefined && { description: opts.description }),
    ...(opts.examples !== undefined && { examples: opts.examples }),
  };
}

export function int(opts: { min?: number; max?: number; enum?: number[]; description?: string } = {}): Schema {
  return {
    type: 'integer',
    ...(opts.min !== undefined && { minimum: opts.min }),
    ...(opts.max !== undefined && { maximum: opts.max }),
    ...(opts.enum !== undefined && { enum: opts.enum }),
    ...(opts.description !== undefined && { description: opts.description }),
  };
}

export const bool = (description?: string): Schema => ({ type: 'boolean', ...(description !== undefined && { description }) });

export function arr(items: Schema, opts: { min?: number; max?: number; description?: string } = {}): Schema {
  return {
    type: 'array',
    items,
    ...(opts.min !== undefined && { minItems: opts.min }),
    ...(opts.max !== undefined && { maxItems: opts.max }),
    ...(opts.description !== undefined && { description: opts.description }),
  };
}

/**
 * An object. `required` names the fields that must be present; in a request every other field
 * may also be null, in a response the object is closed.
 */
export function obj(dir: Direction, properties: Record<string, Schema>, required: readonly string[] = [], description?: string): Schema {
  const props = dir === 'in' ? Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, required.includes(k) ? s : orNull(s)])) : properties;
  return {
    type: 'object',
    ...(description !== undefined && { description }),
    properties: props,
    ...(required.length > 0 && { required: [...required] }),
    ...(dir === 'out' && { additionalProperties: false }),
  };
}

/** `schema` or JSON null (which the server reads as an absent field). */
export function orNull(schema: Schema): Schema {
  const type = schema.type;
  if (typeof type === 'string') return { ...schema, type: [type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

/** A constant: `{"const": v}` with its type, so strict validators need no inference. */
export function constant(value: string | number | boolean): Schema {
  return { type: typeof value === 'number' ? 'integer' : typeof value, const: value };
}

/** The ECMA-262 source of a RegExp, for `pattern` (no flags: the ones used here need none). */
export function patternOf(re: RegExp): string {
  return re.source;
}
