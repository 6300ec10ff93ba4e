import { expect } from 'vitest';
import type * as lark from '@larksuiteoapi/node-sdk';
import { spawn } from 'node:child_process';
import { cliFromSources, repoRoot, runCli, type CliResult } from './serve-process.js';

/** The `data` of `client.lingo.v1.entity.create`, as the Node SDK 1.74 types it. */
export type EntityData = NonNullable<Parameters<lark.Client['lingo']['v1']['entity']['create']>[0]>['data'];

/** The `data` of `client.lingo.v1.draft.create` (entity fields plus `id`). */
export type DraftData = NonNullable<Parameters<lark.Client['lingo']['v1']['draft']['create']>[0]>['data'];

/** A wire Term: highlightable and searchable unless told otherwise. */
export function wireTerm(key: string, display: { highlight?: boolean; search?: boolean } = {}) {
  return { key, display_status: { allow_highlight: display.highlight ?? true, allow_search: display.search ?? true } };
}

/** A valid entity body with main key `key` and a description; `extra` adds or replaces fields. */
export function entityData(key: string, extra: Partial<EntityData> = {}): EntityData {
  return { main_keys: [wireTerm(key)], description: `${key} is a glossary term`, ...extra };
}

/** A tenant key no other test uses (the CLI commands take one). */
export function tenantKeyFor(label: string): string {
  return `t_${label}_${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * `lingo-server <args>` from the sources, without blocking: independent commands (error cases,
 * say) can run side by side, each paying its process start at the same time.
 */
export function runCliAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliFromSources, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

export interface DraftRow {
  draft_id: string;
  state: 'pending' | 'approved' | 'rejected';
  entity: Record<string, unknown> & { id?: string; main_keys: { key: string }[] };
}

/**
 * The glossary commands of `lingo-server` run as separate processes on a server's data dir (as an
 * operator runs them beside a live server). Each call costs a process start (~2 s), so tests
 * run as few as their point needs. `json` ones fail the test on a non-zero exit.
 */
export function glossaryCli(dataDir: string) {
  const run = (args: string[]): CliResult => runCli([...args, '--data-dir', dataDir]);
  const json = <T>(args: string[]): T => {
    const r = run([...args, '--json']);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  return {
    run,
    runAsync: (args: string[]): Promise<CliResult> => runCliAsync([...args, '--data-dir', dataDir]),
    repoCreate: (tenant: string, name: string) => json<{ id: string; name: string }>(['repo', 'create', '--tenant', tenant, '--name', name]),
    repoList: (tenant: string) => json<{ id: string; name: string }[]>(['repo', 'list', '--tenant', tenant]),
    repoGrant: (repoId: string, appId: string) => run(['repo', 'grant', '--repo-id', repoId, '--app-id', appId]),
    classificationCreate: (tenant: string, name: string, opts: { parent?: string; repoId?: string } = {}) =>
      json<{ id: string; name: string; father_id?: string }>([
        'classification',
        'create',
        '--tenant',
        tenant,
        '--name',
        name,
        ...(opts.parent !== undefined ? ['--parent', opts.parent] : []),
        ...(opts.repoId !== undefined ? ['--repo-id', opts.repoId] : []),
      ]),
    draftList: (tenant: string, state?: DraftRow['state']) =>
      json<DraftRow[]>(['draft', 'list', '--tenant', tenant, ...(state !== undefined ? ['--state', state] : [])]),
    approve: (draftId: string) => run(['draft', 'approve', draftId]),
    reject: (draftId: string) => run(['draft', 'reject', draftId]),
  };
}

/** The entity id an approval printed (`draft N approved: entity enterprise_M`). */
export function approvedEntityId(r: CliResult): string {
  expect(r.status, r.stderr).toBe(0);
  const m = /entity (enterprise_\d+)/.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  return m![1]!;
}
