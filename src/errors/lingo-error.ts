import { errorCatalogue, type ErrorKey, type FieldViolation, type PermissionViolation } from './catalogue.js';

export interface LingoErrorDetails {
  fieldViolations?: FieldViolation[];
  permissionViolations?: PermissionViolation[];
  /** Values substituted into `{placeholders}` of the catalogue message. */
  msgParams?: Record<string, string>;
  /** Extra response headers (rate limit). */
  headers?: Record<string, string>;
  /** The request body was not (fully) read: the connection must close after the answer. */
  closeConnection?: boolean;
  cause?: unknown;
}

/** An expected failure that maps to one catalogue entry. Rendered only by http/respond.ts. */
export class LingoError extends Error {
  override readonly name = 'LingoError';
  readonly http: number;
  readonly code: number;
  readonly msg: string;

  constructor(
    readonly key: ErrorKey,
    readonly details: LingoErrorDetails = {},
  ) {
    const entry = errorCatalogue[key];
    let msg: string = entry.msg;
    for (const [k, v] of Object.entries(details.msgParams ?? {})) msg = msg.replace(`{${k}}`, v);
    super(details.fieldViolations?.[0]?.description ?? msg, { cause: details.cause });
    this.http = entry.http;
    this.code = entry.code;
    this.msg = msg;
  }
}

/** Shorthand for the commonest failure: 400 2250001 with one precise reason. */
export function invalidParam(field: string, description: string, closeConnection = false): LingoError {
  return new LingoError('invalidParam', { fieldViolations: [{ field, description }], closeConnection });
}
