import { describe, expect, it } from 'vitest';
import { bearerToken } from '../../../src/http/gateway.js';

describe('bearerToken', () => {
  it('accepts only "Bearer <token>"', () => {
    expect(bearerToken('Bearer t-abc')).toBe('t-abc');
    expect(bearerToken('bearer t-abc')).toBe('t-abc');
    for (const bad of [undefined, '', 'Bearer', 'Bearer ', 'Basic x', 'Bearer a b', 't-abc']) expect(bearerToken(bad)).toBeUndefined();
  });
});
