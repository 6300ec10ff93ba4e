/**
 * The file name of a download, from its Content-Disposition: `filename*` (RFC 5987/8187:
 * `UTF-8''percent-encoded`) wins over `filename` (a quoted string whose bytes are read as UTF-8
 * when they are valid UTF-8, else as Latin-1, as browsers do). Undefined when neither is usable.
 */
export function dispositionFileName(header: string | null): string | undefined {
  if (!header) return undefined;
  const params = parameters(header);
  const extended = params.get('filename*');
  if (extended !== undefined) {
    const decoded = decodeExtValue(extended);
    if (decoded !== undefined) return decoded;
  }
  const plain = params.get('filename');
  return plain === undefined ? undefined : latin1AsUtf8(plain);
}

/**
 * A name that is safe to create inside the output folder: path separators and control characters
 * become `_`, and a name that would still mean a folder (empty, `.` or `..`) is replaced by
 * `fallback` (the file token). Names longer than most file systems allow (255 bytes) are
 * shortened before the extension.
 */
export function safeFileName(name: string, fallback: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[/\\\u0000-\u001f\u007f]/g, '_').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return fallback;
  return shortened(cleaned, 255);
}

function shortened(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const stem = [...name.slice(0, name.length - ext.length)];
  while (stem.length > 0 && Buffer.byteLength(stem.join('') + ext, 'utf8') > maxBytes) stem.pop();
  return stem.join('') + ext;
}

/** `charset'language'percent-encoded`; UTF-8 and ISO-8859-1 (the two RFC 8187 requires). */
function decodeExtValue(value: string): string | undefined {
  const m = /^([^']*)'[^']*'(.*)$/.exec(value);
  if (!m) return undefined;
  const charset = m[1]!.toLowerCase();
  const bytes = percentDecode(m[2]!);
  if (bytes === undefined) return undefined;
  if (charset === 'utf-8') return utf8OrUndefined(bytes);
  if (charset === 'iso-8859-1') return bytes.toString('latin1');
  return undefined;
}

function percentDecode(s: string): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (s[i] !== '%') {
      if (c > 0x7e) return undefined;
      out.push(c);
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    out.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(out);
}

function latin1AsUtf8(value: string): string {
  if ([...value].some((c) => c.charCodeAt(0) > 0xff)) return value;
  return utf8OrUndefined(Buffer.from(value, 'latin1')) ?? value;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8OrUndefined(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The `;`-separated parameters after the disposition type, names lower-cased, quoted strings unquoted. */
function parameters(header: string): Map<string, string> {
  const params = new Map<string, string>();
  let i = header.indexOf(';');
  while (i >= 0 && i < header.length) {
    i++;
    const eq = header.indexOf('=', i);
    if (eq < 0) break;
    const name = header.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (header[j] === ' ' || header[j] === '\t') j++;
    let value = '';
    if (header[j] === '"') {
      // quoted-string: backslash escapes the next character.
      for (j++; j < header.length && header[j] !== '"'; j++) value += header[j] === '\\' && j + 1 < header.length ? header[++j] : header[j];
      j = header.indexOf(';', j);
    } else {
      const end = header.indexOf(';', j);
      value = header.slice(j, end < 0 ? undefined : end).trim();
      j = end;
    }
    if (!params.has(name)) params.set(name, value);
    i = j;
  }
  return params;
}
