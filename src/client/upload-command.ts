import { AccessGate, ClientRunFailed, concurrencyOf, credentialsOf, waitsLine } from './client-options.js';
import { collectFiles } from './file-walk.js';
import { uploadImage } from './image-upload.js';
import { LingoClient, type RetryPolicy } from './lingo-client.js';
import { isRefusal, readCandidate, refusalOf } from './local-validation.js';
import { Manifest } from './manifest.js';
import { runEach } from './run-each.js';
import { Progress, type ClientIo } from './progress.js';

export interface UploadOptions {
  server: string;
  appId: string;
  appSecret: string;
  concurrency?: string;
  manifest?: string;
}

interface Counts {
  uploaded: number;
  skipped: number;
  refused: number;
  failed: number;
}

const summaryOf = (c: Counts): string => `uploaded ${c.uploaded}, skipped ${c.skipped}, refused ${c.refused}, failed ${c.failed}`;

/**
 * `lingo-server upload <files or folders…>`: each file is read once, skipped when the manifest
 * already lists its path with the same SHA-256, checked against the server's own upload rules
 * (refused ones are listed with the reason and never sent), and uploaded, `--concurrency` at a
 * time. Exit status 1 when any file was refused or failed.
 */
export async function uploadCommand(args: readonly string[], opts: UploadOptions, io: ClientIo, policy?: RetryPolicy): Promise<void> {
  const concurrency = concurrencyOf(opts.concurrency, 4);
  const manifest = opts.manifest === undefined ? undefined : Manifest.load(opts.manifest);
  const client = new LingoClient(credentialsOf(opts), policy);
  const collected = await collectFiles(args);
  if (collected.hidden + collected.symlinks > 0) {
    io.out(`not walked: ${collected.hidden} hidden entr(ies) (names starting with "."), ${collected.symlinks} symlink(s); name them explicitly to upload them`);
  }
  // Fail fast on a wrong secret or an unreachable server, before any file is read.
  if (collected.files.length > 0) await client.signIn();

  const counts: Counts = { uploaded: 0, skipped: 0, refused: 0, failed: 0 };
  const progress = new Progress(io, 'upload', collected.files.length);
  const gate = new AccessGate();
  const done = (kind: keyof Counts, line: string): void => {
    counts[kind]++;
    progress.item(line, summaryOf(counts), kind === 'refused' || kind === 'failed');
  };
  try {
    await runEach(collected.files, concurrency, async (file) => {
      let sha256 = '';
      try {
        const candidate = await readCandidate(file);
        if (isRefusal(candidate)) {
          manifest?.record({ path: file, sha256: '', error: `refused: ${candidate.reason}` });
          return done('refused', `refused ${file}: ${candidate.reason}`);
        }
        sha256 = candidate.sha256;
        const known = manifest?.uploadedToken(file, sha256);
        if (known) return done('skipped', `skipped ${file} ${known} (in the manifest)`);
        const reason = await refusalOf(candidate);
        if (reason) {
          manifest?.record({ path: file, sha256, error: `refused: ${reason}` });
          return done('refused', `refused ${file}: ${reason}`);
        }
        if (gate.closed) throw new Error(gate.closed);
        const token = await uploadImage(client, candidate);
        manifest?.record({ path: file, sha256, file_token: token });
        done('uploaded', `uploaded ${file} ${token}`);
      } catch (err) {
        gate.note(err);
        const message = err instanceof Error ? err.message : String(err);
        manifest?.record({ path: file, sha256, error: message });
        done('failed', `failed ${file}: ${message}`);
      }
    });
  } finally {
    progress.stop();
    manifest?.flush();
  }
  const waits = waitsLine(client.stats);
  if (waits) io.out(waits);
  io.out(summaryOf(counts));
  if (counts.refused + counts.failed > 0) throw new ClientRunFailed(`upload: ${counts.refused} refused, ${counts.failed} failed`);
}
