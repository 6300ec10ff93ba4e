import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { expect } from 'vitest';

/**
 * Checking JSON against the schemas of lingo-server's OpenAPI document with Ajv's JSON Schema
 * 2020-12 validator (the dialect of OpenAPI 3.1), in strict mode so that a keyword Ajv does not
 * know (a typo, an OpenAPI-only `example`) fails too.
 */

export type Doc = Record<string, any>;

export function newAjv(): Ajv2020 {
  return new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
}

/**
 * `schema` (from anywhere in `doc`) as a standalone JSON Schema: component references
 * (`#/components/schemas/X`) become `#/$defs/X` of the same root.
 */
export function standalone(doc: Doc, schema: object): object {
  const rewrite = (value: object): object => JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/$defs/')) as object;
  return { ...rewrite(schema), $defs: rewrite(doc.components.schemas as object) };
}

export function compileIn(doc: Doc, schema: object, ajv = newAjv()): ValidateFunction {
  return ajv.compile(standalone(doc, schema));
}

/** The operation object for `method` on the path template `path`. */
export function operationOf(doc: Doc, method: string, path: string): Doc {
  const op = doc.paths?.[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`the document has no ${method} ${path}`);
  return op as Doc;
}

export interface ActualResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * Asserts that a real answer is one the document declares for `method path`: its status is
 * listed, every header the document marks required for that status is present, and the JSON body
 * validates against that status's schema.
 */
export function expectDocumented(doc: Doc, method: string, path: string, res: ActualResponse): void {
  const response = operationOf(doc, method, path).responses[String(res.status)] as Doc | undefined;
  expect(response, `${method} ${path} does not document status ${res.status}`).toBeDefined();
  for (const [name, header] of Object.entries((response!.headers ?? {}) as Record<string, Doc>)) {
    const resolved = header.$ref ? (doc.components.headers[String(header.$ref).split('/').pop()!] as Doc) : header;
    if (resolved.required) expect(res.headers[name.toLowerCase()], `${method} ${path} ${res.status}: header ${name}`).toBeDefined();
  }
  const schema = response!.content?.['application/json']?.schema as object | undefined;
  expect(schema, `${method} ${path} ${res.status} has no JSON schema`).toBeDefined();
  const validate = compileIn(doc, schema!);
  expect(validate(res.body) ? [] : validate.errors, `${method} ${path} ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`).toEqual([]);
}
