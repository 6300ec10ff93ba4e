/**
 * `attachment; filename="<name>"; filename*=UTF-8''<percent-encoded>`.
 * `filename` carries the raw UTF-8 bytes (the Go and Python SDKs read it; Python decodes it as
 * UTF-8): Node writes header strings as latin1, so each UTF-8 byte becomes one latin1 character.
 * Names never hold control characters (rejected at upload), so CR/LF cannot split the header;
 * `"` and `\` are escaped as RFC 9110 quoted-pairs; `filename*` is exact for every reader.
 */
export function contentDisposition(name: string): string {
  const quoted = name.replace(/[\\"]/g, (c) => '\\' + c);
  const rawUtf8 = Buffer.from(quoted, 'utf8').toString('latin1');
  return `attachment; filename="${rawUtf8}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
