import type { FieldViolation } from '../errors/catalogue.js';

/** Feishu's envelope, as much of it as a client reads. */
export interface Envelope {
  code: number;
  msg: string;
  data?: unknown;
  error?: { log_id?: string; field_violations?: FieldViolation[] };
}

/** Feishu's code for "network anomaly, please try again": the one server error worth retrying. */
export const retryableCode = 2250002;
/** 400 2250001: a parameter the server refused; `field_violations` says which and why. */
export const invalidParamCode = 2250001;
/** Token codes after which a fresh tenant token may succeed (invalid, or expired meanwhile). */
export const staleTokenCodes: ReadonlySet<number> = new Set([99991663, 99991677]);

/**
 * The gateway refused the app itself (its token, scopes or app type: codes 9999166x-9999167x):
 * every further request of the run would be refused the same way, so a command stops sending.
 */
export function isAccessRefusal(err: unknown): err is ApiError {
  return err instanceof ApiError && err.code !== undefined && err.code >= 99991660 && err.code <= 99991679;
}

/** A request the server answered with a non-zero code (or without an envelope at all). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: number | undefined,
    readonly msg: string,
    readonly fieldViolations: readonly FieldViolation[] = [],
    readonly logId: string | undefined = undefined,
  ) {
    super(describe(status, code, msg, fieldViolations, logId));
  }

  /** The server refused a parameter: the request itself must change (retrying will not help). */
  get isInvalidParam(): boolean {
    return this.code === invalidParamCode;
  }

  static of(status: number, body: unknown): ApiError {
    const env = asEnvelope(body);
    if (!env) return new ApiError(status, undefined, `HTTP ${status} without a Feishu envelope`);
    return new ApiError(status, env.code, env.msg, env.error?.field_violations ?? [], env.error?.log_id);
  }
}

/** `body` when it looks like Feishu's envelope (a numeric code and a string msg). */
export function asEnvelope(body: unknown): Envelope | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { code, msg } = body as Record<string, unknown>;
  return typeof code === 'number' && typeof msg === 'string' ? (body as Envelope) : undefined;
}

/** One line: `HTTP 400 code 2250001 invalid param: file: image width is 10 px…  (log_id …)`. */
function describe(status: number, code: number | undefined, msg: string, violations: readonly FieldViolation[], logId: string | undefined): string {
  const head = code === undefined ? msg : `HTTP ${status} code ${code} ${msg}`;
  const details = violations.map((v) => `${v.field}: ${v.description}`).join('; ');
  return `${head}${details ? `: ${details}` : ''}${logId ? ` (log_id ${logId})` : ''}`;
}
