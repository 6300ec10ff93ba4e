import type { ErrorKey } from '../errors/catalogue.js';
import { defaultPageSize, maxPageSize } from '../http/query.js';
import { ref, type Schema } from './json-schema.js';
import { successEnvelope } from './schemas/envelope-schemas.js';
import { decimalIdPattern } from './schemas/entity-schemas.js';

/**
 * What the route table cannot say about a route: its path as an OpenAPI template, its
 * parameters, bodies and answers. One per route id (src/http/route.ts); the document builder
 * takes methods, security, scopes and rate tier from the route itself, and refuses a route that
 * has no descriptor.
 */
export interface OperationDescriptor {
  routeId: string;
  /** The OpenAPI path template (`{entity_id}`); test/unit/openapi checks it against the route's pattern. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  parameters?: Schema[];
  requestBody?: Schema;
  /** Answers other than errors, by status: without X-Tt-Logid, which the builder adds. */
  responses: Record<string, Schema>;
  /** The operation's own errors (catalogue keys); the gateway's come from the route's access. */
  errors: ErrorKey[];
  /** Paged with page_size / page_token (Feishu's `x-lark-pagination`). */
  pagination?: boolean;
}

/** The answer of a Lingo JSON operation: the success envelope around `data`. */
export function jsonSuccess(description: string, data: Schema): Record<string, Schema> {
  return { '200': { description, content: { 'application/json': { schema: successEnvelope(data) } } } };
}

/** A JSON request body. */
export function jsonBody(schemaName: string, required = true, description?: string): Schema {
  return {
    required,
    ...(description !== undefined && { description }),
    content: { 'application/json': { schema: ref(schemaName) } },
  };
}

export function pathParam(name: string, schema: Schema, description: string): Schema {
  return { name, in: 'path', required: true, description, schema };
}

export const paramRef = (name: string): Schema => ({ $ref: `#/components/parameters/${name}` });

/** The query parameters several operations share (src/http/query.ts). Each may appear once. */
export const sharedParameters: Record<string, Schema> = {
  PageSize: {
    name: 'page_size',
    in: 'query',
    description: `decimal digits, 1-${maxPageSize}`,
    schema: { type: 'integer', minimum: 1, maximum: maxPageSize, default: defaultPageSize },
  },
  PageToken: {
    name: 'page_token',
    in: 'query',
    description: 'from the previous page; bound to the same listing (same repo and filters); empty counts as absent',
    schema: { type: 'string' },
  },
  RepoId: {
    name: 'repo_id',
    in: 'query',
    description: 'a repo granted to the app; default the company-wide repo',
    schema: { type: 'string', pattern: decimalIdPattern },
  },
  UserIdType: {
    name: 'user_id_type',
    in: 'query',
    description: 'validated; user ids are stored and answered as given (no user directory)',
    schema: { type: 'string', enum: ['open_id', 'union_id', 'user_id'], default: 'open_id' },
  },
  Provider: {
    name: 'provider',
    in: 'query',
    description: 'with entity_id enterprise_0: the outer_info.provider of the entity',
    schema: { type: 'string' },
  },
  OuterId: {
    name: 'outer_id',
    in: 'query',
    description: 'with entity_id enterprise_0: the outer_info.outer_id of the entity',
    schema: { type: 'string' },
  },
};
