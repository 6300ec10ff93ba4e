import type { IncomingMessage } from 'node:http';
import { invalidParam, LingoError } from '../errors/lingo-error.js';
import type { RequestContext } from './context.js';

/**
 * The largest JSON request body any Lingo operation reads. The biggest legitimate body (an entity
 * with a 5000-character description and rich text, three i18n descriptions of both kinds, ten
 * aliases and ten images) is well under 128 KiB even with every character escaped as \uXXXX.
 */
export const maxJsonRequestBytes = 256 * 1024;

/**
 * The body of a POST or PUT as a JSON object. Strict: exactly what JSON.parse accepts, in UTF-8,
 * without a byte order mark. An empty body is `{}` (search's body is optional as a whole). The
 * Content-Type is not checked: every SDK sends application/json (Node without a charset), and a
 * client that labels JSON otherwise loses nothing by being understood.
 *
 * Over the cap, by Content-Length or while reading, the rest is left unread and the answer closes
 * the connection (respond.ts), so a huge body costs us no more than the cap.
 */
export async function readJsonObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const tooLarge = () => invalidParam('body', `request body exceeds ${maxJsonRequestBytes} bytes`, true);
  if (declaredLength(ctx.req) > maxJsonRequestBytes) throw tooLarge();
  const bytes = await readBounded(ctx.req, maxJsonRequestBytes);
  if (bytes === 'too-large') throw tooLarge();
  if (bytes.length === 0) return {};
  return parseJsonObject(bytes);
}

/**
 * For GET and DELETE, which take no body but receive one from the Node SDK (`{}`): reads and
 * ignores up to the cap. Beyond it reading stops; since the request is then incomplete,
 * respond.ts closes the connection after the answer (with a lingering close) instead of
 * draining an unbounded body.
 */
export async function discardBody(ctx: RequestContext): Promise<void> {
  if (ctx.req.complete || declaredLength(ctx.req) > maxJsonRequestBytes) return;
  await readBounded(ctx.req, maxJsonRequestBytes, false);
}

/** JSON text → object, or the 400 that says why not. Exported for the unit tests. */
export function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw invalidParam('body', 'not valid JSON: starts with a UTF-8 byte order mark');
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw invalidParam('body', 'not valid JSON: not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalidParam('body', `not valid JSON: ${shortReason(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParam('body', 'must be a JSON object');
  return value as Record<string, unknown>;
}

// fatal: invalid UTF-8 is refused, not replaced by U+FFFD. ignoreBOM: the BOM is checked above.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** V8's message (position, and in newer versions a snippet), capped: it goes back to the client. */
function shortReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 120 ? `${message.slice(0, 117)}...` : message;
}

/** Content-Length as declared (Node has already refused a malformed one); 0 for a chunked body. */
function declaredLength(req: IncomingMessage): number {
  const header = req.headers['content-length'];
  return header === undefined ? 0 : Number(header);
}

/**
 * The body, or 'too-large' as soon as it passes `cap` (reading then stops, the rest stays
 * unread; the answer then closes the connection). Listens to events rather than iterating:
 * leaving a `for await` early destroys the request, and with it the socket the answer must go
 * out on. `keep: false` counts without keeping. Rejects with a 400 on `body` if the client goes.
 */
export function readBounded(req: IncomingMessage, cap: number, keep = true): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      req.pause();
    };
    function onData(chunk: Buffer): void {
      size += chunk.length;
      if (size > cap) {
        stop();
        resolve('too-large');
      } else if (keep) chunks.push(chunk);
    }
    function onEnd(): void {
      stop();
      resolve(Buffer.concat(chunks));
    }
    // The client went away (or a timeout destroyed the socket) before the end of the body.
    function onClose(): void {
      if (req.readableEnded) return;
      stop();
      reject(new LingoError('invalidParam', { fieldViolations: [{ field: 'body', description: 'client closed the connection' }] }));
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
    req.resume();
  });
}
