import { arr, constant, int, obj, ref, str, type Schema } from '../json-schema.js';

/**
 * The envelopes around every JSON answer (src/http/respond.ts) and the two token answers
 * (src/http/routes/access-token.ts).
 */

/** `{"code":0,"msg":"success","data":…}`: every Lingo JSON operation and upload. */
export function successEnvelope(data: Schema): Schema {
  return obj('out', { code: constant(0), msg: constant('success'), data }, ['code', 'msg', 'data']);
}

/**
 * An error answer carrying one of `codes`. Token routes answer their credential errors with HTTP
 * 200 and an empty `data` as well (`withData`), as Feishu does.
 */
export function errorEnvelope(codes: readonly number[], withData: boolean): Schema {
  return obj(
    'out',
    {
      code: int({ enum: [...new Set(codes)] }),
      msg: str({ description: "Feishu's message for the code, byte for byte" }),
      ...(withData && { data: obj('out', {}) }),
      error: ref('ErrorDetail'),
    },
    ['code', 'msg', ...(withData ? ['data'] : []), 'error'],
  );
}

export function envelopeSchemas(): Record<string, Schema> {
  return {
    ErrorDetail: obj(
      'out',
      {
        log_id: str({ pattern: '^[0-9]{14}[0-9A-F]{20}$', description: 'equal to the X-Tt-Logid response header' }),
        troubleshooter: str(),
        field_violations: arr(ref('FieldViolation'), { min: 1, description: 'on 2250001: every wire field that was wrong, and why' }),
        permission_violations: arr(ref('PermissionViolation'), { min: 1, description: 'on 99991672 and 99991679' }),
      },
      ['log_id', 'troubleshooter'],
    ),
    FieldViolation: obj(
      'out',
      {
        field: str({ description: 'the wire field, e.g. main_keys[0].key, related_meta.images[2].token, page_token, body', examples: ['main_keys[0].key'] }),
        description: str({ description: 'for a person, not a program: match on code' }),
      },
      ['field', 'description'],
    ),
    PermissionViolation: obj(
      'out',
      {
        type: { type: 'string', enum: ['action_scope_required', 'action_privilege_required', 'app_type_required'] },
        subject: str({ description: 'a scope, or self_built' }),
      },
      ['type', 'subject'],
    ),
    AppCredentials: obj('in', { app_id: str({ min: 1, examples: ['cli_a1b2c3d4e5f6a7b8'] }), app_secret: str({ min: 1 }) }, ['app_id', 'app_secret']),
    TenantAccessToken: obj(
      'out',
      {
        code: constant(0),
        msg: constant('ok'),
        tenant_access_token: str({ pattern: '^t-' }),
        expire: int({ min: 0, description: 'seconds left; the same token comes back while it has at least 30 minutes' }),
      },
      ['code', 'msg', 'tenant_access_token', 'expire'],
    ),
    AppAccessToken: obj(
      'out',
      {
        code: constant(0),
        msg: constant('ok'),
        app_access_token: str({ pattern: '^t-', description: 'for self-built apps, the tenant access token' }),
        tenant_access_token: str({ pattern: '^t-' }),
        expire: int({ min: 0 }),
      },
      ['code', 'msg', 'app_access_token', 'tenant_access_token', 'expire'],
    ),
  };
}
