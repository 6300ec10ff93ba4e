import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ConfigError } from './config-error.js';
import type { Setting } from './setting-kinds.js';

/**
 * The settings of a `--config` file: one layer between the defaults and the environment. Keys
 * are the flags without their leading dashes (`data-dir`, `rate-limit-per-second`), the names an
 * operator reads in --help, docs/configuration.md and `config print`; camelCase keys are refused with the
 * right spelling, so that one file is never read two ways. Values are checked later, by the
 * setting's own rules, with `origin` naming the key and the file.
 */
export interface ConfigFileLayer {
  /** As given (for messages). */
  readonly path: string;
  /** Raw values by setting key; switches as 'true' / 'false'. */
  readonly values: Readonly<Record<string, string | number>>;
  /** `"data-dir" in lingo.toml`, for the setting of `key`. */
  origin(key: string): string;
}

export function readConfigFile(file: string, table: readonly Setting[]): ConfigFileLayer {
  const document = parseDocument(file, readText(file));
  const byName = new Map(table.map((s) => [s.flag.slice(2), s]));
  const values: Record<string, string | number> = {};
  for (const [name, raw] of Object.entries(document)) {
    const setting = byName.get(name);
    if (!setting) throw new ConfigError(`${file}: unknown key "${name}"${spellingHint(name, table)}; the keys are ${[...byName.keys()].join(', ')}`);
    if (setting.key === 'config') throw new ConfigError(`${file}: "config" names the file itself; it cannot be set inside one`);
    values[setting.key] = scalar(raw, setting, `"${name}" in ${file}`);
  }
  const names = new Map(table.map((s) => [s.key, s.flag.slice(2)]));
  return { path: file, values, origin: (key) => `"${names.get(key) ?? key}" in ${file}` };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--config ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/**
 * Parse errors name a line and column, never the text there: the line may hold a password.
 * A document that is not one table of keys (an array, a nested table) is refused too.
 */
function parseDocument(file: string, text: string): Record<string, unknown> {
  const ext = path.extname(file).toLowerCase();
  let document: unknown;
  if (ext === '.toml') {
    try {
      document = parseToml(text);
    } catch (err) {
      if (!(err instanceof TomlError)) throw err;
      throw new ConfigError(
        `${file} is not valid TOML (line ${err.line}, column ${err.column}): ${err.message.split('\n', 1)[0]!.replace(/^Invalid TOML document: /, '')}`,
      );
    }
  } else if (ext === '.json') {
    try {
      document = JSON.parse(text) as unknown;
    } catch (err) {
      throw new ConfigError(`${file} is not valid JSON${jsonPosition(text, (err as Error).message)}`);
    }
  } else {
    throw new ConfigError(`--config ${file}: the file name must end in .json or .toml`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new ConfigError(`${file} must hold one object of settings`);
  return document as Record<string, unknown>;
}

/** ` (line 3, column 7)` from V8's "… at position 42", or '' when it gives none. */
function jsonPosition(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const lines = before.split('\n');
  return ` (line ${lines.length}, column ${lines.at(-1)!.length + 1})`;
}

/**
 * The raw value as the setting's parser takes it. A switch takes a boolean (or the words the
 * environment takes); every other setting a string or a number, which its parser then checks.
 * Tables, arrays and dates are no setting's value.
 */
function scalar(raw: unknown, setting: Setting, origin: string): string | number {
  const isSwitch = setting.argName === '';
  if (typeof raw === 'boolean' && isSwitch) return String(raw);
  if (typeof raw === 'string' || (typeof raw === 'number' && !isSwitch)) return raw;
  throw new ConfigError(`${origin} must be ${isSwitch ? 'true or false' : setting.allowed}${setting.secret ? '' : `, got ${describe(raw)}`}`);
}

function describe(raw: unknown): string {
  if (Array.isArray(raw)) return 'a list';
  if (raw instanceof Date) return 'a date';
  if (typeof raw === 'object' && raw !== null) return 'a table';
  return JSON.stringify(raw) ?? String(raw);
}

/** ` (write "data-dir")` when `name` is a setting's camelCase key or its flag with the dashes. */
function spellingHint(name: string, table: readonly Setting[]): string {
  const meant = table.find((s) => s.key === name || s.flag === name || s.env === name);
  return meant ? ` (write "${meant.flag.slice(2)}", the flag without its dashes)` : '';
}
