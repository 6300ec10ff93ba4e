import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidParam } from '../errors/lingo-error.js';

/** Bytes of HMAC-SHA256 kept in a token: 128 bits, far beyond guessing at any request rate. */
const macBytes = 16;
/** A cursor is a seq or a rank and a seq: tens of bytes. Anything much longer was not sealed here. */
const maxTokenChars = 512;

/**
 * Page tokens (spec §1.5): the cursor of the next page, sealed with an HMAC so that a client can
 * neither forge one nor carry one over to another listing. The token is
 * base64url(mac ‖ cursor), where mac = HMAC-SHA256(key, len(scope) ‖ scope ‖ cursor) truncated;
 * the length prefix keeps (scope, cursor) pairs from colliding by shifting bytes across the seam.
 *
 * The cursor is readable inside the token: it is a position (an entity seq, which the entity's
 * id shows anyway), not a secret, so signing suffices. Tokens never expire: a cursor names a
 * place in an order that is stable under writes (rows after it are returned, whatever was
 * inserted or deleted meanwhile), so an old token still continues correctly; and the key is per
 * database (EntityStore.pageTokenKey), so every instance accepts every other's tokens.
 *
 * The scope is built by the caller from the operation and every filter of the query (repo,
 * provider, search body...): a token sealed for one listing is refused by another.
 */
export class PageTokens {
  constructor(private readonly key: Buffer) {
    if (key.length < 16) throw new Error('a page token key needs at least 16 bytes');
  }

  seal(scope: string, cursor: string): string {
    const cursorBytes = Buffer.from(cursor, 'utf8');
    return Buffer.concat([this.mac(scope, cursorBytes), cursorBytes]).toString('base64url');
  }

  /** The cursor sealed in `token` for `scope`; a 400 on `page_token` for anything else. */
  open(scope: string, token: string): string {
    const refused = () => invalidParam('page_token', 'is not a page_token this listing issued (malformed, altered, or from another query)');
    if (token.length > maxTokenChars || !/^[A-Za-z0-9_-]+$/.test(token)) throw refused();
    const bytes = Buffer.from(token, 'base64url');
    // Only the canonical encoding: no trailing bits set, so one cursor has exactly one token.
    if (bytes.length < macBytes || bytes.toString('base64url') !== token) throw refused();
    const cursorBytes = bytes.subarray(macBytes);
    if (!timingSafeEqual(bytes.subarray(0, macBytes), this.mac(scope, cursorBytes))) throw refused();
    return cursorBytes.toString('utf8');
  }

  private mac(scope: string, cursor: Buffer): Buffer {
    const scopeBytes = Buffer.from(scope, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(scopeBytes.length);
    return createHmac('sha256', this.key).update(length).update(scopeBytes).update(cursor).digest().subarray(0, macBytes);
  }
}
