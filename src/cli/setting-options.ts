import { Option } from 'commander';
import type { ConfigInput } from '../config/config.js';
import type { Setting } from '../config/setting-kinds.js';
import { settings } from '../config/settings.js';

/**
 * Commander options from the settings table. None has a commander default: an option that was
 * not given must stay undefined, or it would hide the environment variable behind it.
 */
export function settingOptions(scope: 'serve' | 'data'): Option[] {
  return settings.filter((s) => scope === 'serve' || s.scope === 'data').map(settingOption);
}

export function settingOption(s: Setting): Option {
  // An empty default means "unset" (optionalText): nothing to show.
  const details = [s.range, s.default === '' ? '' : `default ${withUnit(s.default, s.unit)}`, `env ${s.env}`].filter(Boolean);
  // A switch (no argName) takes no value: present means on.
  return new Option(s.argName ? `${s.flag} <${s.argName}>` : s.flag, `${s.help} (${details.join('; ')})`);
}

/** The settings among a command's parsed options (commander names each after its flag, as the table's keys are). */
export function settingFlags(opts: Record<string, unknown>): ConfigInput {
  return Object.fromEntries(settings.map((s) => [s.key, opts[s.key]])) as ConfigInput;
}

export function withUnit(value: unknown, unit: string | undefined): string {
  return unit ? `${String(value)} ${unit}` : String(value);
}
