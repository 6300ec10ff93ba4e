import { invalidParam } from '../errors/lingo-error.js';
import { isPositiveInt64 } from '../glossary/decimal-id.js';
import { hasNul, nulRefused } from '../glossary/wire/body-fields.js';
import type { RequestContext } from './context.js';

/**
 * The query string of a Lingo request and its common parameters (spec §1.4–§1.6). Every
 * parameter here is single-valued: given twice (qs `arrayFormat: repeat` would do that only for
 * an array, which none of them is) it is refused rather than silently taking one of the values.
 * An empty value (`page_token=`) counts as absent: the Node iterators never send one (they drop
 * falsy params), and a Go or hand-built URL that sends `x=` means "not set".
 */
export function queryOf(ctx: RequestContext): URLSearchParams {
  const url = ctx.req.url ?? '';
  const at = url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
}

export const defaultPageSize = 20;
export const maxPageSize = 100;

/** `page_size`: default 20, decimal digits only, 1–100 (lark-cli's bound; the docs give none). */
export function pageSizeOf(q: URLSearchParams): number {
  const raw = optionalString(q, 'page_size');
  if (raw === null) return defaultPageSize;
  if (!/^[0-9]+$/.test(raw)) throw invalidParam('page_size', `must be an integer from 1 to ${maxPageSize}, in decimal digits`);
  const n = Number(raw);
  if (n < 1 || n > maxPageSize) throw invalidParam('page_size', `must be from 1 to ${maxPageSize}`);
  return n;
}

export type UserIdType = 'open_id' | 'union_id' | 'user_id';
const userIdTypes: readonly UserIdType[] = ['open_id', 'union_id', 'user_id'];

/** `user_id_type`: default open_id (spec §1.4; any other value is a Decision: 400 2250001). */
export function userIdTypeOf(q: URLSearchParams): UserIdType {
  const raw = optionalString(q, 'user_id_type');
  if (raw === null) return 'open_id';
  if (!(userIdTypes as readonly string[]).includes(raw)) throw invalidParam('user_id_type', `must be one of ${userIdTypes.join(', ')}`);
  return raw as UserIdType;
}

/** `repo_id`: null when absent (the company-wide repo), else a decimal positive int64. */
export function repoIdOf(q: URLSearchParams): string | null {
  const raw = optionalString(q, 'repo_id');
  if (raw === null) return null;
  if (!isPositiveInt64(raw)) throw invalidParam('repo_id', 'must be a repo id: a positive 64-bit integer in decimal digits');
  return raw;
}

/** A single-valued string parameter; null when absent or empty. */
export function optionalString(q: URLSearchParams, name: string): string | null {
  const values = q.getAll(name);
  if (values.length > 1) throw invalidParam(name, 'must be given at most once');
  const value = values[0];
  // %00: refused like a NUL in a body (body-fields.ts hasNul), not sent on to the database.
  if (value !== undefined && hasNul(value)) throw invalidParam(name, nulRefused);
  return value === undefined || value === '' ? null : value;
}
