import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AccessGate, ClientRunFailed, concurrencyOf, credentialsOf, waitsLine } from './client-options.js';
import { dispositionFileName, safeFileName } from './download-name.js';
import { LingoClient, type RetryPolicy } from './lingo-client.js';
import { runEach } from './run-each.js';
import { Progress, type ClientIo } from './progress.js';

export interface DownloadOptions {
  server: string;
  appId: string;
  appSecret: string;
  out: string;
  force?: boolean;
  concurrency?: string;
}

/**
 * `lingo-server download <file_token…> --out DIR`: each file saved under the name the server gives
 * in Content-Disposition (made safe: no path separators, never `.` or `..`). A file that exists
 * already, from before or from an earlier token of this run, is not overwritten unless `--force`:
 * that token fails instead. Bytes go to a temp file in DIR first and take their name only once
 * complete, so an interrupted download never leaves a partial file under the real name.
 */
export async function downloadCommand(tokens: readonly string[], opts: DownloadOptions, io: ClientIo, policy?: RetryPolicy): Promise<void> {
  const concurrency = concurrencyOf(opts.concurrency, 4);
  const client = new LingoClient(credentialsOf(opts), policy);
  const outDir = path.resolve(opts.out);
  fs.mkdirSync(outDir, { recursive: true });
  const unique = [...new Set(tokens)];
  await client.signIn();

  const counts = { downloaded: 0, failed: 0 };
  const summary = (): string => `downloaded ${counts.downloaded}, failed ${counts.failed}`;
  const progress = new Progress(io, 'download', unique.length);
  // Names claimed by this run, so two tokens racing for one name cannot both think it free.
  const claimed = new Set<string>();
  const gate = new AccessGate();
  try {
    await runEach(unique, concurrency, async (token) => {
      try {
        if (gate.closed) throw new Error(gate.closed);
        const saved = await downloadOne(client, token, outDir, !!opts.force, claimed);
        counts.downloaded++;
        progress.item(`downloaded ${token} ${saved}`, summary(), false);
      } catch (err) {
        gate.note(err);
        counts.failed++;
        progress.item(`failed ${token}: ${err instanceof Error ? err.message : String(err)}`, summary(), true);
      }
    });
  } finally {
    progress.stop();
  }
  const waits = waitsLine(client.stats);
  if (waits) io.out(waits);
  io.out(summary());
  if (counts.failed > 0) throw new ClientRunFailed(`download: ${counts.failed} failed`);
}

async function downloadOne(client: LingoClient, token: string, outDir: string, force: boolean, claimed: Set<string>): Promise<string> {
  const res = await client.fetchOk({ method: 'GET', path: `/open-apis/lingo/v1/files/${encodeURIComponent(token)}/download`, repeatable: true });
  const name = safeFileName(dispositionFileName(res.headers.get('content-disposition')) ?? token, token);
  const target = path.join(outDir, name);
  if (!force && (claimed.has(target) || fs.existsSync(target))) {
    await res.body?.cancel();
    throw new Error(`${target} exists (--force overwrites)`);
  }
  claimed.add(target);
  const temp = path.join(outDir, `.${name}.${randomBytes(4).toString('hex')}.part`);
  try {
    const body = res.body ? Readable.fromWeb(res.body as WebReadableStream<Uint8Array>) : Readable.from([]);
    await pipeline(body, fs.createWriteStream(temp, { flags: 'wx' }));
    if (force) fs.renameSync(temp, target);
    else if (!placedExclusively(temp, target)) throw new Error(`${target} exists (--force overwrites)`);
    return target;
  } catch (err) {
    claimed.delete(target);
    throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Gives `temp` the name `target` unless that exists; false if it does. */
function placedExclusively(temp: string, target: string): boolean {
  try {
    // link() fails when the name exists, atomically: a file that appeared meanwhile is kept too.
    fs.linkSync(temp, target);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: check, then rename (a narrow race, but never a known overwrite).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    if (fs.existsSync(target)) return false;
    fs.renameSync(temp, target);
    return true;
  }
}
