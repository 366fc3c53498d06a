import { describe, expect, it } from 'vitest';
import { BffMetrics } from '../../src/metrics/bff-metrics.js';

describe('BFF metrics', () => {
  it('renders counters and a cumulative cookie-size histogram in the Prometheus text format', () => {
    const metrics = new BffMetrics();
    metrics.refresh('done');
    metrics.refresh('failed', 'invalid_grant');
    metrics.refresh('failed', 'weird"code\n');
    metrics.signOut('backchannel', 3);
    metrics.signOut('logout', 0);
    metrics.backchannel('replayed');
    for (const bytes of [100, 300, 300, 5000, 20_000]) metrics.cookieHeader(bytes);
    const text = metrics.render();
    expect(text).toContain('gatehouse_bff_refreshes_total{outcome="done"} 1\n');
    expect(text).toContain('gatehouse_bff_refreshes_total{outcome="failed",error="invalid_grant"} 1\n');
    expect(text).toContain('gatehouse_bff_refreshes_total{outcome="failed",error="weird_code_"} 1\n');
    expect(text).toContain('gatehouse_bff_sign_outs_total{cause="backchannel"} 3\n');
    expect(text).not.toContain('cause="logout"');
    expect(text).toContain('gatehouse_bff_backchannel_logouts_total{result="replayed"} 1\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_bucket{le="256"} 1\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_bucket{le="512"} 3\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_bucket{le="8192"} 4\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_bucket{le="+Inf"} 5\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_sum 25700\n');
    expect(text).toContain('gatehouse_bff_cookie_header_bytes_count 5\n');
  });
});
