import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { downloadPath, filePart, multipart, namePart, rawUpload, request, type Part, type RawResponse } from './http.js';
import { connect, sleep, uploadHead, type ParsedResponse } from './raw-socket.js';
import { storedFiles, type TestServer } from './server.js';

/** Polls `check` (which throws while unmet) until it passes or `timeoutMs` runs out. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 3000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(everyMs);
    }
  }
}

/** No temp file, and no blob that no row references. Cleanup after an abort is async: polled. */
export async function expectNoLeftovers(server: TestServer, timeoutMs = 3000): Promise<void> {
  await eventually(async () => {
    await server.app.files.flushed();
    expect(storedFiles(server.dataDir).temp, 'temp files left behind').toEqual([]);
    // Every tier: small blobs in segments and blob files.
    for await (const { key } of server.app.blobs.keys()) {
      expect(await server.app.meta.isBlobReferenced(key), `unreferenced blob ${key}`).toBe(true);
    }
  }, timeoutMs);
}

export async function countRows(server: TestServer): Promise<number> {
  // Journaled rows of small uploads reach the database just after their answer.
  await server.app.files.flushed();
  let n = 0;
  for await (const _ of server.app.meta.listFiles()) n++;
  return n;
}

/** A valid PNG made distinct by random bytes after its logical end (so it is a new blob). */
export async function distinctImage(totalBytes?: number): Promise<Buffer> {
  const base = await makeImage('png', 320, 320);
  const tail = randomBytes(Math.max(16, (totalBytes ?? 0) - base.length));
  return Buffer.concat([base, tail]);
}

export function expectError(res: { status: number; json(): Record<string, any> }, status: number, code: number, field?: string): void {
  expect(res.status, JSON.stringify(safeJson(res))).toBe(status);
  const body = res.json();
  expect(body.code).toBe(code);
  if (field !== undefined) expect(body.error?.field_violations?.[0]?.field).toBe(field);
}

function safeJson(res: { json(): unknown }): unknown {
  try {
    return res.json();
  } catch {
    return '(not JSON)';
  }
}

/** The server still does its job: a fresh upload is accepted and downloads byte-identical. */
export async function expectStillServes(server: TestServer, token: string): Promise<string> {
  const image = await distinctImage();
  const res = await rawUpload(server.baseUrl, token, [namePart('after.png'), filePart(image)]);
  expect(res.status, res.body.toString()).toBe(200);
  const fileToken = res.json().data.file_token as string;
  const dl = await download(server, token, fileToken);
  expect(dl.status).toBe(200);
  expect(dl.body.equals(image)).toBe(true);
  return fileToken;
}

/**
 * Whatever a test threw at the server, it kept its promises: nothing half-written is left, and it
 * still accepts and serves a fresh upload. Run after each test of a hostile suite.
 */
export async function expectIntact(server: TestServer, token: string): Promise<void> {
  await expectNoLeftovers(server);
  await expectStillServes(server, token);
}

export function download(server: TestServer, token: string, fileToken: string): Promise<RawResponse> {
  return request(server.baseUrl, {
    path: downloadPath(encodeURIComponent(fileToken)),
    headers: { Authorization: `Bearer ${token}` },
  });
}

/**
 * An upload over a raw socket that keeps whatever the server answered even when the server stops
 * reading and closes mid-body (node:http may report EPIPE instead of the response then).
 */
export async function socketUpload(server: TestServer, token: string, parts: Part[]): Promise<ParsedResponse> {
  const { body, contentType } = multipart(parts);
  const conn = await connect(server.port);
  await conn.write(uploadHead(token, contentType, body.length, ['Connection: close']));
  for (let off = 0; off < body.length; off += 64 * 1024) if (!(await conn.write(body.subarray(off, off + 64 * 1024)))) break;
  try {
    return await conn.response();
  } finally {
    conn.destroy();
  }
}

/** The server's log lines (pino JSON) that carry this log id. */
export function logLinesFor(server: TestServer, logId: string): Array<Record<string, any>> {
  return server.logs.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.logId === logId);
}
