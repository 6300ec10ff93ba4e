import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { invalidParam, LingoError } from '../errors/lingo-error.js';
import type { FileService, StagedImage } from '../files/file-service.js';
import { parseName, uploadLimits } from '../files/upload-rules.js';
import type { Principal } from '../auth/tokens.js';
import { guardPartHeaders } from './part-header-guard.js';

/** Multipart framing allowance on top of the file: the name part, part headers, boundaries. */
export const multipartOverheadBytes = 64 * 1024;
export const maxUploadBodyBytes = uploadLimits.maxFileBytes + multipartOverheadBytes;
const maxNamePartBytes = 1024;
const maxPartHeaderBytes = 8 * 1024;

export interface UploadForm {
  nameBytes: Buffer;
  staged: StagedImage;
}

/**
 * Reads `name` and `file` from a multipart body in whichever order they come, streaming the file
 * into the blob store as it arrives. Rejects at the first rule broken; on rejection any staged
 * blob is discarded and the rest of the body is left unread.
 */
/**
 * An upload end to end, as the open API and the console take it: the form read and its image
 * checked while it streams, the name checked, then the file committed; on any refusal the
 * staged blob is discarded. Returns the new file_token and the image's size.
 */
export async function receiveUpload(req: IncomingMessage, files: FileService, principal: Principal): Promise<{ fileToken: string; bytes: number }> {
  const form = await readUploadForm(req, files);
  let name: string;
  try {
    name = parseName(form.nameBytes);
  } catch (err) {
    await files.discard(form.staged);
    throw err;
  }
  return { fileToken: await files.commit(principal, name, form.staged), bytes: form.staged.blob.sizeBytes };
}

export async function readUploadForm(req: IncomingMessage, files: FileService): Promise<UploadForm> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxUploadBodyBytes) {
    throw invalidParam('file', `request body of ${declared} bytes exceeds the ${maxUploadBodyBytes}-byte limit for a 10 MiB file`, true);
  }
  const contentTypeError = (): LingoError => invalidParam('Content-Type', 'Content-Type must be multipart/form-data with a boundary', true);
  // busboy would also take a urlencoded body; the upload is multipart only.
  if (!/^multipart\/form-data\s*(;|$)/i.test(req.headers['content-type'] ?? '')) throw contentTypeError();
  let busboy: BusboyInstance;
  try {
    busboy = new Busboy({
      headers: req.headers as BusboyHeaders,
      // Every part is a stream, so `name` arrives as raw bytes whatever charset a client claims.
      isPartAFile: () => true,
      limits: { parts: 3, files: 3, fileSize: uploadLimits.maxFileBytes + 1, headerSize: maxPartHeaderBytes, headerPairs: 16 },
    });
  } catch {
    throw contentTypeError();
  }
  return new Promise<UploadForm>((resolve, reject) => {
    let nameBytes: Buffer | undefined;
    // Set when the part starts, not when it has been read: a second `name` may arrive meanwhile.
    let namePartSeen = false;
    let fileStream: Readable | undefined;
    let staging: Promise<StagedImage> | undefined;
    let bodyBytes = 0;
    let settled = false;

    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      // Stop reading. If the body is not complete, the answer closes the connection (respond.ts),
      // so the rest of it is never read.
      req.off('data', countBody);
      req.unpipe(busboy);
      req.pause();
      busboy.removeAllListeners('file');
      busboy.on('error', () => {});
      // A file still streaming is destroyed, which makes the store drop its temp file (a part
      // that merely stops arriving would otherwise hold it open); a staged one is discarded.
      fileStream?.destroy(err);
      void staging?.then((s) => files.discard(s)).catch(() => {});
      reject(err);
    };

    function countBody(chunk: Buffer): void {
      bodyBytes += chunk.length;
      if (bodyBytes > maxUploadBodyBytes) fail(invalidParam('file', `request body exceeds ${maxUploadBodyBytes} bytes`, true));
    }
    req.on('data', countBody);
    // The client went away, or a timeout or a parse error destroyed the socket, before busboy saw
    // the end of the body (`complete` alone is not enough: the last bytes may still be buffered).
    req.on('close', () => {
      if (!req.readableEnded) fail(new LingoError('invalidParam', { fieldViolations: [{ field: 'body', description: 'client closed the connection' }] }));
    });

    try {
      guardPartHeaders(busboy, (problem) =>
        fail(invalidParam('body', problem === 'too long' ? `a part header is ${maxPartHeaderBytes} bytes or longer` : 'a part header is not terminated', true)),
      );
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }

    busboy.on('file', (field: string, stream: Readable) => {
      if (settled) return void stream.resume();
      if (field === 'name' && !namePartSeen) {
        namePartSeen = true;
        readSmallPart(stream, maxNamePartBytes).then(
          (bytes) => (bytes ? (nameBytes = bytes) : fail(invalidParam('name', `name part is longer than ${maxNamePartBytes} bytes`))),
          fail,
        );
      } else if (field === 'file' && staging === undefined) {
        fileStream = stream;
        // The body minus its framing bounds the file from below; chunked bodies give no bound.
        staging = files.stage(stream, declared === undefined ? 0 : Math.max(0, Number(declared) - multipartOverheadBytes));
        staging.catch(fail);
      } else {
        stream.resume();
        const why = field === 'file' || field === 'name' ? `more than one "${field}" part` : `unexpected part "${field}"; only "name" and "file" are accepted`;
        fail(invalidParam(field === 'file' || field === 'name' ? field : 'body', why));
      }
    });
    busboy.on('partsLimit', () => fail(invalidParam('body', 'too many parts; only "name" and "file" are accepted')));
    busboy.on('error', (err: Error) => fail(invalidParam('body', `malformed multipart body: ${err.message}`, true)));
    busboy.on('finish', () => {
      if (settled) return;
      if (!staging) return fail(invalidParam('file', 'file is required'));
      staging.then((staged) => {
        if (settled) return;
        if (nameBytes === undefined) return fail(invalidParam('name', 'name is required'));
        // From here the route owns the staged blob (commit or discard); a late close is not ours.
        settled = true;
        resolve({ nameBytes, staged });
      }, fail);
    });
    req.pipe(busboy);
  });
}

/** Collects a part of at most `maxBytes`; undefined if it is longer (the rest is drained). */
function readSmallPart(stream: Readable, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBytes) chunks.push(c);
    });
    stream.on('end', () => resolve(size <= maxBytes ? Buffer.concat(chunks) : undefined));
    stream.on('error', reject);
  });
}
