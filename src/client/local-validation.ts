import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { LingoError } from '../errors/lingo-error.js';
import { checkSizeSoFar, parseName } from '../files/upload-rules.js';
import { ValidatedImage } from '../files/validated-image.js';

/** A local file read for upload: its bytes (what will be sent), their SHA-256 and the upload name. */
export interface Candidate {
  path: string;
  name: string;
  bytes: Buffer;
  sha256: string;
}

/** A file the server would refuse, found without sending it; `sha256` is null when it was not read. */
export interface Refusal {
  path: string;
  sha256: string | null;
  reason: string;
}

/**
 * Reads a file for upload. One over the size limit is refused from its size alone (the server
 * would refuse it at the same byte count) and never read; I/O errors are thrown.
 */
export async function readCandidate(filePath: string): Promise<Candidate | Refusal> {
  const stat = await fs.stat(filePath);
  const tooBig = ruleBroken(() => checkSizeSoFar(stat.size));
  if (tooBig) return { path: filePath, sha256: null, reason: tooBig };
  const bytes = await fs.readFile(filePath);
  return { path: filePath, name: path.basename(filePath), bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export function isRefusal(c: Candidate | Refusal): c is Refusal {
  return 'reason' in c;
}

/**
 * Why the server would refuse this upload, or undefined: the server's own rules, run here — the
 * name (UTF-8, 1-100 characters, no control characters), then the bytes through the same
 * streaming validator the upload route uses (format sniffed from the content, the format's
 * walker, 3 KiB-10 MiB, 320-4096 px). Nothing is copied: a rule changed there changes here.
 */
export async function refusalOf(candidate: Candidate): Promise<string | undefined> {
  const nameProblem = ruleBroken(() => parseName(Buffer.from(candidate.name, 'utf8')));
  if (nameProblem) return nameProblem;
  try {
    for await (const chunk of new ValidatedImage(chunksOf(candidate.bytes))) void chunk;
  } catch (err) {
    const problem = describeViolation(err);
    if (problem === undefined) throw err;
    return problem;
  }
  return undefined;
}

/** The bytes in 64 KiB chunks, as a socket would deliver them (the walkers stream either way). */
async function* chunksOf(bytes: Buffer): AsyncGenerator<Buffer> {
  const chunk = 64 * 1024;
  for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
}

function ruleBroken(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    const problem = describeViolation(err);
    if (problem === undefined) throw err;
    return problem;
  }
}

/** `field: description`, as the server would put it in `field_violations`. */
function describeViolation(err: unknown): string | undefined {
  if (!(err instanceof LingoError)) return undefined;
  const v = err.details.fieldViolations?.[0];
  return v ? `${v.field}: ${v.description}` : err.message;
}
