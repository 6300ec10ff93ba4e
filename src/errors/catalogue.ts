/**
 * Every error lingo-server puts on the wire, in one place. Nothing else in the code base knows an
 * HTTP status, a Feishu code or a Feishu message: it throws or returns a key of this table.
 * docs/errors.md is checked against this table by a test.
 */
export const errorCatalogue = {
  invalidParam: { http: 400, code: 2250001, msg: 'invalid param' },
  rangeNotSatisfiable: { http: 416, code: 2250001, msg: 'invalid param' },
  internal: { http: 500, code: 2250002, msg: 'network anomaly, please try again' },
  tokenRequestInvalid: { http: 200, code: 10003, msg: 'invalid param' },
  appSecretInvalid: { http: 200, code: 10014, msg: 'app secret invalid' },
  missingAccessToken: {
    http: 400,
    code: 99991661,
    msg: 'Missing access token for authorization. Please make a request with token attached.',
  },
  invalidTenantToken: {
    http: 400,
    code: 99991663,
    msg: 'Invalid access token for authorization. Please make a request with token attached.',
  },
  invalidUserToken: {
    http: 400,
    code: 99991668,
    msg: 'Invalid access token for authorization. Please make a request with token attached.',
  },
  userTokenNotSupported: { http: 400, code: 99991668, msg: 'user access token not support' },
  draftReviewed: { http: 403, code: 2250100, msg: 'draft has been reviewed and cannot be edited' },
  userTokenExpired: { http: 401, code: 99991677, msg: 'Authentication token expired. Please request a new one.' },
  appScopeMissing: {
    http: 400,
    code: 99991672,
    msg: 'Access denied. One of the following scopes is required: [{scopes}]',
  },
  appTypeRequired: {
    http: 400,
    code: 99991672,
    msg: 'Access denied. This API is only available to self-built apps.',
  },
  userScopeMissing: {
    http: 400,
    code: 99991679,
    msg:
      'Unauthorized. You do not have permission to perform the requested operation on the resource. ' +
      'Please request user re-authorization and try again. required one of these privileges under the user identity: [{scopes}]',
  },
  rateLimited: { http: 429, code: 99991400, msg: 'request trigger frequency limit' },
  // The console's own (under /console/api only; Feishu's console is not an API): codes of ours.
  consoleSignInRequired: { http: 401, code: 2259001, msg: 'console sign-in required' },
  consoleTokenInvalid: { http: 401, code: 2259002, msg: 'console token invalid or expired' },
  consoleRequestRefused: { http: 403, code: 2259003, msg: 'console request refused: cross-site or without its CSRF token' },
} as const satisfies Record<string, { http: number; code: number; msg: string }>;

export type ErrorKey = keyof typeof errorCatalogue;

export interface FieldViolation {
  field: string;
  description: string;
}

export interface PermissionViolation {
  type: 'action_scope_required' | 'action_privilege_required' | 'app_type_required';
  subject: string;
}
