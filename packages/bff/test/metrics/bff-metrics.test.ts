import { parseExposition, sampleValue } from '@gatehouse/test-kit';
import { describe, expect, it } from 'vitest';
import { BffMetrics } from '../../src/metrics/bff-metrics.js';

describe('BFF metrics', () => {
  it('renders counters and a cumulative cookie-size histogram in the Prometheus text format', async () => {
    const metrics = new BffMetrics();
    metrics.refresh('done');
    metrics.refresh('retried');
    metrics.refresh('unavailable', 'provider_timeout');
    metrics.refresh('failed', 'invalid_grant');
    metrics.refresh('failed', 'weird"code\n');
    metrics.signOut('backchannel', 3);
    metrics.signOut('logout', 0);
    metrics.backchannel('replayed');
    for (const bytes of [100, 300, 300, 5000, 20_000]) metrics.cookieHeader(bytes);
    const { contentType, body: text } = await metrics.render();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toContain('gatehouse_bff_refreshes_total{outcome="done"} 1\n');
    expect(text).toContain('gatehouse_bff_refreshes_total{outcome="retried"} 1\n');
    // A transient failure keeps the session: counted as unavailable, with no error label.
    expect(text).toContain('gatehouse_bff_refreshes_total{outcome="unavailable"} 1\n');
    expect(text).toContain('gatehouse_bff_refreshes_total{outcome="failed",error="invalid_grant"} 1\n');
    // A code outside the RFC's list is "other": a provider cannot add series at will.
    expect(text).toContain('gatehouse_bff_refreshes_total{outcome="failed",error="other"} 1\n');
    expect(text).toContain('gatehouse_bff_sign_outs_total{cause="backchannel"} 3\n');
    expect(text).not.toContain('cause="logout"');
    expect(text).toContain('gatehouse_bff_backchannel_logouts_total{result="replayed"} 1\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_bucket{le="256"} 1\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_bucket{le="512"} 3\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_bucket{le="8192"} 4\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_bucket{le="+Inf"} 5\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_sum 25700\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_count 5\n');
    // With the process's own metrics, and every line well formed.
    expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(() => parseExposition(text)).not.toThrow();
  });

  it('counts proxied calls by configured route and upstream status class, and times them', async () => {
    const metrics = new BffMetrics();
    metrics.proxiedCall('/api')(200);
    metrics.proxiedCall('/api')(204);
    metrics.proxiedCall('/api')(503);
    metrics.proxiedCall('/slow')('timeout');
    const answered = metrics.proxiedCall('/down');
    answered('unreachable');
    answered('unreachable'); // once per call, however often it is told
    metrics.rateLimited('login');
    metrics.rateLimited('login');
    metrics.rateLimited('clientRoutes');
    const { body: text } = await metrics.render();
    const proxied = 'gatehouse_bff_proxied_requests_total';
    expect(sampleValue(text, proxied, { route: '/api', upstream_status: '2xx' })).toBe(2);
    expect(sampleValue(text, proxied, { route: '/api', upstream_status: '5xx' })).toBe(1);
    expect(sampleValue(text, proxied, { route: '/slow', upstream_status: 'timeout' })).toBe(1);
    expect(sampleValue(text, proxied, { route: '/down', upstream_status: 'unreachable' })).toBe(1);
    expect(sampleValue(text, 'gatehouse_bff_proxied_request_duration_seconds_count', { route: '/api' })).toBe(3);
    expect(sampleValue(text, 'gatehouse_bff_rate_limit_refusals_total', { limit: 'login' })).toBe(2);
    expect(sampleValue(text, 'gatehouse_bff_rate_limit_refusals_total', { limit: 'clientRoutes' })).toBe(1);
  });

  it('shares one registry between instances that record into it', async () => {
    const first = new BffMetrics();
    const second = new BffMetrics(first.registry);
    first.signOut('logout');
    second.signOut('logout');
    expect(sampleValue((await first.render()).body, 'gatehouse_bff_sign_outs_total', { cause: 'logout' })).toBe(2);
  });
});
