import http from 'node:http';
import { randomBytes } from 'node:crypto';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Header names exactly as they came over the wire. */
  rawHeaderNames: string[];
  body: Buffer;
  json<T = Record<string, any>>(): T;
}

export const uploadPath = '/open-apis/lingo/v1/files/upload';
/** The download path of `fileToken`, as given (a test may pass a token that needs escaping on purpose). */
export const downloadPath = (fileToken: string): string => `/open-apis/lingo/v1/files/${fileToken}/download`;
export const tenantTokenPath = '/open-apis/auth/v3/tenant_access_token/internal';
export const appTokenPath = '/open-apis/auth/v3/app_access_token/internal';

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
}

/** A plain node:http request, for what the SDK cannot send (malformed wire input, raw headers). */
export function request(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(req.path, baseUrl);
  return new Promise((resolve, reject) => {
    const r = http.request(url, { method: req.method ?? 'GET', headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaderNames: res.rawHeaders.filter((_, i) => i % 2 === 0),
          body,
          json: () => JSON.parse(body.toString('utf8')),
        });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A POST of `body` as JSON; a string is sent as it is (for malformed input). */
export function postJson(baseUrl: string, path: string, body: unknown, contentType = 'application/json'): Promise<RawResponse> {
  return request(baseUrl, {
    method: 'POST',
    path,
    headers: { 'Content-Type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export interface Part {
  name: string;
  data: Buffer | string;
  filename?: string;
  contentType?: string;
  /** Extra raw header lines for the part. */
  extraHeaders?: string[];
}

export function multipart(parts: Part[], boundary = '----lingo' + randomBytes(8).toString('hex')): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    for (const h of p.extraHeaders ?? []) head += h + '\r\n';
    chunks.push(Buffer.from(head + '\r\n', 'utf8'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data, 'utf8'), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Uploads over raw HTTP with a bearer token; returns the raw response. */
export function rawUpload(baseUrl: string, token: string, parts: Part[]): Promise<RawResponse> {
  const { body, contentType } = multipart(parts);
  return request(baseUrl, {
    method: 'POST',
    path: uploadPath,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType, 'Content-Length': body.length },
    body,
  });
}

export function filePart(data: Buffer): Part {
  return { name: 'file', data, contentType: 'application/octet-stream' };
}

export function namePart(name: string | Buffer): Part {
  return { name: 'name', data: name };
}
