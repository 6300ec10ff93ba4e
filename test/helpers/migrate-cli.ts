import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { MigrateReport } from '../../src/maintenance/migrate.js';
import { createS3Client } from '../../src/storage/s3/s3-client.js';
import { createTestSchema } from './postgres-schema.js';
import { cliFromSources, repoRoot, spawnServe, type ServeProcess } from './serve-process.js';
import type { ServiceName } from './services.js';
import { serviceUrl, uniqueName } from './services.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/**
 * Where `lingo-server migrate` copies to, as a parameter: `create` makes a fresh, empty one and
 * says how migrate writes it, how `serve` serves it, how many file rows it holds so far (to kill
 * a run mid-way), and how to remove it.
 */
export interface CliDestination {
  name: string;
  needs: readonly ServiceName[];
  create(): Promise<{ migrateArgs: string[]; serveArgs: string[]; countFiles(): Promise<number>; remove(): Promise<void> }>;
}

function embedded(name: string, storeArgs: string[]): CliDestination {
  return {
    name,
    needs: [],
    create: async () => {
      const dir = path.join(makeTempDir('migrate-e2e-to'), 'data');
      return {
        migrateArgs: ['--to-data-dir', dir, ...storeArgs],
        serveArgs: ['--data-dir', dir, ...storeArgs],
        countFiles: async () => countRows(path.join(dir, 'lingo.sqlite')),
        remove: async () => removeDir(path.dirname(dir)),
      };
    },
  };
}

/** A fresh PostgreSQL schema and S3 bucket (keys at its top: see s3-fixture.ts); the data dir holds only the spool. */
const postgresAndS3: CliDestination = {
  name: 'PostgreSQL + S3',
  needs: ['postgres', 's3'],
  create: async () => {
    const schema = await createTestSchema('migrate_s3_');
    const bucket = uniqueName('lingo-migrate-');
    const s3 = createS3Client({ endpoint: serviceUrl('s3'), bucket, region: 'us-east-1', forcePathStyle: true, prefix: '' });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const dir = makeTempDir('migrate-e2e-spool');
    const storeArgs = ['--meta', 'postgres', '--postgres-url', schema.url, '--blob', 's3', '--s3-endpoint', serviceUrl('s3'), '--s3-bucket', bucket];
    const s3Args = [...storeArgs, '--s3-region', 'us-east-1', '--s3-force-path-style'];
    return {
      migrateArgs: ['--to-data-dir', dir, ...s3Args],
      serveArgs: ['--data-dir', dir, ...s3Args],
      countFiles: async () => Number((await schema.query<{ n: string }>('SELECT count(*) AS n FROM files').catch(() => [{ n: '0' }]))[0]!.n),
      remove: async () => {
        try {
          const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
          for (const o of listed.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
          await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
        } finally {
          s3.destroy();
          await schema.drop();
          removeDir(dir);
        }
      },
    };
  },
};

export const cliDestinations: readonly CliDestination[] = [
  embedded('an embedded data dir (SQLite + segments)', []),
  embedded('an embedded data dir with every blob a file', ['--segment-blob-max-bytes', '0']),
  postgresAndS3,
];

/** Rows in `files`, read without writing (the file may not exist yet: 0). */
function countRows(file: string): number {
  if (!fs.existsSync(file)) return 0;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // created but not yet migrated to the schema
  }
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `lingo-server <args>` from the sources; `killWhen` (polled) kills it with SIGKILL once true. */
export function cli(args: string[], killWhen?: () => Promise<boolean>): Promise<CliRun> {
  const child = spawn(process.execPath, [...cliFromSources, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let polling = true;
  if (killWhen) {
    void (async () => {
      while (polling) {
        if (await killWhen()) {
          child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      polling = false;
      clearTimeout(deadline);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

export function migrateJson(run: CliRun): MigrateReport {
  expect(run.stdout.trim().split('\n'), run.stderr).toHaveLength(1);
  return JSON.parse(run.stdout) as MigrateReport;
}

/** `serve` on a migrated destination, rate limits off; the caller stops it. */
export async function serveDestination(serveArgs: string[]): Promise<ServeProcess & { baseUrl: string }> {
  const server = await spawnServe(cliFromSources, [
    ...serveArgs,
    '--port',
    '0',
    '--rate-limit-per-second',
    '0',
    '--rate-limit-per-minute',
    '0',
    '--log-level',
    'warn',
  ]);
  return { ...server, baseUrl: `http://127.0.0.1:${server.port}` };
}
