import type { FieldViolation } from '../../errors/catalogue.js';
import { LingoError } from '../../errors/lingo-error.js';

/**
 * Reading a parsed JSON body field by field while collecting every violation, so that one 400
 * lists all that is wrong (a client fixes its request once, not once per field). Each reader
 * returns undefined when the value is absent or unusable, having recorded why in the latter case;
 * callers carry on with the rest of the body.
 */
export class Violations {
  readonly list: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.list.push({ field, description });
  }

  /** One 400 2250001 naming every violation found, if any. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new LingoError('invalidParam', { fieldViolations: this.list });
  }
}

export type JsonObject = Record<string, unknown>;

/**
 * An own property of a parsed body. Own only: `body.constructor` must not find Object's. JSON
 * null counts as absent (the Python SDK writes unset optional fields as null).
 */
export function member(obj: JsonObject, key: string): unknown {
  const value = Object.hasOwn(obj, key) ? obj[key] : undefined;
  return value === null ? undefined : value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Characters as Unicode code points (an emoji is one), the unit of every length limit here. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point; a lone surrogate counts as one.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export function readString(value: unknown, field: string, out: Violations): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    out.add(field, 'must be a string');
    return undefined;
  }
  if (hasNul(value)) {
    out.add(field, nulRefused);
    return undefined;
  }
  return value;
}

/**
 * U+0000 is valid JSON (`"\u0000"`) but no glossary text has a use for it, and PostgreSQL text
 * cannot hold it (the statement fails: a 500 where the client sent a bad value). Refused on
 * every string the server reads, so both stores answer alike.
 */
export function hasNul(s: string): boolean {
  return s.includes('\0');
}

export const nulRefused = 'must not contain U+0000 (NUL)';

/** A string of `min`–`max` code points. */
export function readBoundedString(value: unknown, field: string, out: Violations, min: number, max: number): string | undefined {
  const s = readString(value, field, out);
  if (s === undefined) return undefined;
  const n = codePointLength(s);
  if (n < min || n > max) {
    out.add(field, min === max ? `must be ${min} characters` : `must be ${min}–${max} characters (is ${n})`);
    return undefined;
  }
  return s;
}

export function readBoolean(value: unknown, field: string, out: Violations): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  out.add(field, 'must be a boolean');
  return undefined;
}

export function readObject(value: unknown, field: string, out: Violations): JsonObject | undefined {
  if (value === undefined) return undefined;
  if (isObject(value)) return value;
  out.add(field, 'must be an object');
  return undefined;
}

/** An array of at most `max` items (none when undefined). */
export function readArray(value: unknown, field: string, out: Violations, max?: number): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    out.add(field, 'must be an array');
    return undefined;
  }
  if (max !== undefined && value.length > max) {
    out.add(field, `must have at most ${max} items (has ${value.length})`);
    return undefined;
  }
  return value as unknown[];
}

/**
 * Each item of an array read with `readItem` (given the item's own path, `field[i]`); items that
 * were not objects are reported and skipped, items the reader rejected are skipped.
 */
export function readObjects<T>(items: unknown[], field: string, out: Violations, readItem: (obj: JsonObject, path: string) => T | undefined): T[] {
  const result: T[] = [];
  items.forEach((item, i) => {
    const path = `${field}[${i}]`;
    if (!isObject(item)) return out.add(path, 'must be an object');
    const value = readItem(item, path);
    if (value !== undefined) result.push(value);
  });
  return result;
}
