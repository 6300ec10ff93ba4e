import { createApp } from '../auth/apps.js';
import { ConfigError } from '../config/config.js';
import type { AppType, MetaStore } from '../meta/meta-store.js';

export interface AppCreateOptions {
  name: string;
  scopes: string;
  tenant?: string;
  type: string;
  json?: boolean;
}

export function parseScopes(list: string): string[] {
  const scopes = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) throw new ConfigError('--scopes needs at least one scope, e.g. baike:entity');
  for (const s of scopes) if (!/^[\w.:-]+$/.test(s)) throw new ConfigError(`not a scope name: "${s}"`);
  return scopes;
}

export async function appCreate(meta: MetaStore, opts: AppCreateOptions, out: (line: string) => void): Promise<void> {
  if (opts.type !== 'self_built' && opts.type !== 'store') throw new ConfigError(`--type must be self_built or store, got "${opts.type}"`);
  if (!opts.name.trim()) throw new ConfigError('--name must not be empty');
  if (opts.tenant !== undefined && !/^[\w-]{1,64}$/.test(opts.tenant)) {
    throw new ConfigError('--tenant must be 1-64 letters, digits, "_" or "-"');
  }
  const creds = await createApp(meta, {
    name: opts.name,
    scopes: parseScopes(opts.scopes),
    tenantKey: opts.tenant,
    type: opts.type as AppType,
  });
  if (opts.json) out(JSON.stringify(creds));
  else out(`app_id:     ${creds.app_id}\napp_secret: ${creds.app_secret}\ntenant_key: ${creds.tenant_key}`);
}

export async function appList(meta: MetaStore, json: boolean, out: (line: string) => void): Promise<void> {
  const apps = await meta.listApps();
  const rows = apps.map((a) => ({ app_id: a.appId, name: a.name, tenant_key: a.tenantKey, type: a.type, scopes: a.scopes }));
  if (json) return out(JSON.stringify(rows));
  if (rows.length === 0) return out('no apps');
  for (const r of rows) out(`${r.app_id}  ${r.type.padEnd(10)}  tenant=${r.tenant_key}  scopes=${r.scopes.join(',')}  ${r.name}`);
}
