import { describe, expect, it } from 'vitest';
import { LingoError, invalidParam } from '../../../src/errors/lingo-error.js';
import { fieldLabel, LingoMetrics } from '../../../src/observe/metrics.js';
import { parseScrape } from '../../helpers/metrics.js';

const scraped = async (metrics: LingoMetrics) => parseScrape((await metrics.scrape()).body);

describe('LingoMetrics', () => {
  it('fieldLabel collapses indexes and keeps labels bounded', () => {
    expect(fieldLabel('related_meta.images[3].token')).toBe('related_meta.images[].token');
    expect(fieldLabel('main_keys[0].display_status.allow_search')).toBe('main_keys[].display_status.allow_search');
    expect(fieldLabel('related_meta.classifications[12].id')).toBe('related_meta.classifications[].id');
    expect(fieldLabel('Content-Type')).toBe('Content-Type');
    expect(fieldLabel('x'.repeat(81))).toBe('other');
    expect(fieldLabel('a b')).toBe('other');
    expect(fieldLabel('a"}')).toBe('other');
  });

  it('counts fields of 2250001 once per request, and only 429s as refusals', async () => {
    const metrics = new LingoMetrics();
    const many = new LingoError('invalidParam', {
      fieldViolations: [
        { field: 'related_meta.images[0].token', description: '' },
        { field: 'related_meta.images[1].token', description: '' },
        { field: 'description', description: '' },
      ],
    });
    const base = { operation: 'lingo.v1.entity.create', status: '400', seconds: 0.01, requestBytes: 10 };
    metrics.requestEnded({ ...base, failure: many });
    metrics.requestEnded({ ...base, failure: invalidParam('description', 'x') });
    metrics.requestEnded({ ...base, status: '429', failure: new LingoError('rateLimited') });
    metrics.requestEnded({ ...base, status: '500', failure: new Error('boom') });
    const s = await scraped(metrics);
    const op = { operation: 'lingo.v1.entity.create' };
    expect(s.value('lingo_validation_failures_total', { ...op, field: 'related_meta.images[].token' })).toBe(1);
    expect(s.value('lingo_validation_failures_total', { ...op, field: 'description' })).toBe(2);
    expect(s.value('lingo_rate_limit_refusals_total', op)).toBe(1);
    expect(s.value('lingo_http_requests_total', { ...op, status: '500' })).toBe(1);
    expect(s.value('lingo_upload_bytes_count', { status: '400' })).toBe(0);
  });

  it("exposes the rate limiter's fallback counts as they are at each scrape", async () => {
    const metrics = new LingoMetrics();
    const source = { counters: { switchesToFallback: 0, decidedWithoutStore: 0 }, degraded: false };
    metrics.watchRateLimitFallback(source);
    let s = await scraped(metrics);
    expect([s.value('lingo_rate_limit_fallback_switches_total'), s.value('lingo_rate_limit_fallback_active')]).toEqual([0, 0]);
    Object.assign(source, { counters: { switchesToFallback: 2, decidedWithoutStore: 17 }, degraded: true });
    s = await scraped(metrics);
    expect(s.value('lingo_rate_limit_fallback_switches_total')).toBe(2);
    expect(s.value('lingo_rate_limit_decided_without_store_total')).toBe(17);
    expect(s.value('lingo_rate_limit_fallback_active')).toBe(1);
  });

  it('two servers in one process keep their own counts; the process metrics appear in both', async () => {
    const a = new LingoMetrics();
    const b = new LingoMetrics();
    a.requestEnded({ operation: 'healthz', status: '200', seconds: 0.001, requestBytes: 0, failure: undefined });
    const [sa, sb] = [await scraped(a), await scraped(b)];
    expect(sa.value('lingo_http_requests_total', { operation: 'healthz' })).toBe(1);
    expect(sb.value('lingo_http_requests_total', { operation: 'healthz' })).toBe(0);
    for (const s of [sa, sb]) expect(s.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});
