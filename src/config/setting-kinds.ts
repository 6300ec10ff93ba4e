import path from 'node:path';

/**
 * The kinds of value a setting can take. Each constructor turns one entry of the settings table
 * into a `Setting`: how to parse and check a raw value (from a flag, the environment or an
 * embedder), and how to describe what is allowed, for --help and for error messages alike.
 */
export interface Setting<K extends string = string, T = unknown> {
  /** The key in `ConfigInput`; also what commander calls the flag's value (`--data-dir` → `dataDir`). */
  readonly key: K;
  readonly flag: `--${string}`;
  readonly env: `LINGO_${string}`;
  /** `serve` (and `config print`) only, or every command that opens the data dir too. */
  readonly scope: 'serve' | 'data';
  /** As documented (docs/configuration.md, --help): a relative path stays relative here. */
  readonly default: string | number;
  /** Shown after numbers: `ms`, `bytes`. */
  readonly unit?: string;
  /** The placeholder in --help: `--port <n>`; '' for a switch, which takes no value (see `toggle`). */
  readonly argName: string;
  /** What is allowed, short, for --help: `0 to 65535`, `one of fatal, error, …` ('' when anything goes). */
  readonly range: string;
  /** What is allowed, as the end of "--port must be …". */
  readonly allowed: string;
  readonly help: string;
  /**
   * Secrets are never printed (`config print`) nor echoed in error messages: `value` hides the
   * whole value, `url-password` only the password of a URL (`postgres://app:***@db/lingo`).
   */
  readonly secret?: 'value' | 'url-password';
  /** The value, or undefined when `raw` is not allowed. */
  parse(raw: string | number): T | undefined;
}

/** The fields every kind takes from its table entry. */
export interface SettingSpec<K extends string> {
  key: K;
  flag: `--${string}`;
  env: `LINGO_${string}`;
  help: string;
  scope?: 'serve' | 'data';
  secret?: 'value' | 'url-password';
}

/** A whole number from `min` to `max`; strings as the command line and the environment give them. */
export function integer<const K extends string>(spec: SettingSpec<K> & { default: number; min: number; max: number; unit?: string }): Setting<K, number> {
  const range = `${spec.min} to ${spec.max}`;
  return {
    ...common(spec),
    default: spec.default,
    ...(spec.unit === undefined ? {} : { unit: spec.unit }),
    argName: spec.unit === 'ms' ? 'ms' : 'n',
    range,
    allowed: `a whole number from ${range}`,
    parse: (raw) => wholeNumberIn(raw, spec.min, spec.max),
  };
}

/** One of a fixed list of words. */
export function choice<const K extends string, const C extends readonly string[]>(
  spec: SettingSpec<K> & { default: C[number]; choices: C },
): Setting<K, C[number]> {
  const range = `one of ${spec.choices.join(', ')}`;
  return {
    ...common(spec),
    default: spec.default,
    argName: 'name',
    range,
    allowed: range,
    parse: (raw) => spec.choices.find((c) => c === String(raw)),
  };
}

/** Free text (an address, a name); only the empty string is refused, and it counts as "not given". */
export function text<const K extends string>(spec: SettingSpec<K> & { default: string; argName: string }): Setting<K, string> {
  return {
    ...common(spec),
    default: spec.default,
    argName: spec.argName,
    range: '',
    allowed: `a non-empty ${spec.argName}`,
    parse: (raw) => (String(raw) === '' ? undefined : String(raw)),
  };
}

/** Free text that may be absent: the empty string (the default) means "not set". */
export function optionalText<const K extends string>(spec: SettingSpec<K> & { argName: string }): Setting<K, string> {
  return {
    ...common(spec),
    default: '',
    argName: spec.argName,
    range: '',
    allowed: `a ${spec.argName}`,
    parse: (raw) => String(raw),
  };
}

const switchValues: Record<string, boolean> = { '1': true, true: true, on: true, yes: true, '0': false, false: false, off: false, no: false };

/** A switch: the flag alone turns it on (commander hands back `true`), the variable is 1 or 0. */
export function toggle<const K extends string>(spec: SettingSpec<K>): Setting<K, boolean> {
  return {
    ...common(spec),
    default: 0,
    argName: '',
    range: 'the flag alone, or 1/0 in the environment',
    allowed: 'the flag alone, or one of 1, 0, true, false, on, off, yes, no',
    parse: (raw) => switchValues[String(raw).toLowerCase()],
  };
}

/**
 * An optional URL with one of `protocols`. `none`, the default, means "not set" and parses to ''
 * (the feature stays off); it also lets a flag switch off what the environment set. Refusals
 * never echo the value: a URL may carry a password.
 */
export function optionalUrl<const K extends string>(spec: SettingSpec<K> & { protocols: readonly string[] }): Setting<K, string> {
  const range = `none or a ${spec.protocols.map((p) => `${p}//`).join(' or ')} URL`;
  return {
    ...common(spec),
    default: 'none',
    argName: 'url',
    range,
    allowed: range,
    parse: (raw) => {
      const value = String(raw);
      if (value === 'none') return '';
      return URL.canParse(value) && spec.protocols.includes(new URL(value).protocol) ? value : undefined;
    },
  };
}

/**
 * A port that turns a feature's own listener on: `none` (the default) or 0 leaves the feature on
 * the main port, so 0 here never means "any free port" as it does for --port.
 */
export function optionalPort<const K extends string>(spec: SettingSpec<K>): Setting<K, number> {
  const range = 'none, or a port from 1 to 65535';
  return {
    ...common(spec),
    default: 'none',
    argName: 'port',
    range,
    allowed: range,
    parse: (raw) => (String(raw) === 'none' ? 0 : wholeNumberIn(raw, 0, 65535)),
  };
}

/** A directory, resolved against the working directory once, when the settings are read. */
export function directory<const K extends string>(spec: SettingSpec<K> & { default: string }): Setting<K, string> {
  return {
    ...common(spec),
    default: spec.default,
    argName: 'dir',
    range: '',
    allowed: 'a path',
    parse: (raw) => (String(raw) === '' ? undefined : path.resolve(String(raw))),
  };
}

function common<K extends string>(spec: SettingSpec<K>): Pick<Setting<K>, 'key' | 'flag' | 'env' | 'help' | 'scope' | 'secret'> {
  return { key: spec.key, flag: spec.flag, env: spec.env, help: spec.help, scope: spec.scope ?? 'serve', ...(spec.secret ? { secret: spec.secret } : {}) };
}

/** The number, or undefined when `raw` is not a whole number from `min` to `max`. */
export function wholeNumberIn(raw: string | number, min: number, max: number): number | undefined {
  const n = typeof raw === 'number' ? raw : /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A value as `config print` may show it: secrets redacted, the rest as they are. */
export function shownValue(setting: Setting, value: unknown): unknown {
  if (!setting.secret || value === '') return value;
  if (setting.secret === 'url-password') return withoutUrlPassword(String(value));
  return '[redacted]';
}

/** The URL with its password replaced by `***`; a value that is no URL is hidden whole. */
export function withoutUrlPassword(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '[redacted]';
  }
  if (url.password) url.password = '***';
  return url.href;
}
