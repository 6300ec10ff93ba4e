import type { ResolvedSetting } from '../config/config.js';
import { shownValue } from '../config/setting-kinds.js';
import { withUnit } from './setting-options.js';

/**
 * `config print`: each setting's effective value and where it came from (default, file, env, flag),
 * secrets redacted. `--json` prints `{"<key>":{"value","source","flag","env"}, …}`.
 */
export function configPrint(resolved: readonly ResolvedSetting[], json: boolean, out: (line: string) => void): void {
  if (json) {
    const entries = resolved.map(({ setting, value, source }) => [
      setting.key,
      { value: shownValue(setting, value), source, flag: setting.flag, env: setting.env },
    ]);
    return out(JSON.stringify(Object.fromEntries(entries)));
  }
  const rows = resolved.map(({ setting, value, source }) => [
    setting.flag,
    withUnit(shownValue(setting, value), setting.unit),
    source === 'env' ? `env ${setting.env}` : source,
  ]);
  const header = ['setting', 'value', 'from'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) out(row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  '));
}
