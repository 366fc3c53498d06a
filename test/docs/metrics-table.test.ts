import { readFileSync } from 'node:fs';
import { BffMetrics } from '@gatehouse/bff';
import { createMetricsRegistry, metricsRenderer } from '@gatehouse/server-kit';
import { bffClientAt, buildAuthorizationServer, buildBff } from '@gatehouse/test-kit';
import { describe, expect, it } from 'vitest';

const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

/** `name → type` of every metric row in operations.md's "Metrics" section. */
function documentedMetrics(): Map<string, string> {
  const start = operations.indexOf('\n## Metrics\n');
  const end = operations.indexOf('\n## ', start + 1);
  const section = operations.slice(start, end === -1 ? undefined : end);
  const rows = new Map<string, string>();
  for (const [, name, type] of section.matchAll(/^\|\s*`(gatehouse_[a-z_]+)`\s*\|\s*([a-z]+)\s*\|/gm)) {
    rows.set(name as string, type as string);
  }
  return rows;
}

/** `name → type` of every Gatehouse metric a BFF and an authorization server register. */
async function registeredMetrics(): Promise<Map<string, string>> {
  const asRegistry = createMetricsRegistry();
  const provider = await buildAuthorizationServer({ clients: [bffClientAt()] }, { metricsRegistry: asRegistry });
  const bffMetrics = new BffMetrics();
  const bff = await buildBff(provider, {}, { metrics: bffMetrics });
  // One request each, so the HTTP and store metrics exist too.
  await provider.fetch(`${provider.issuer}/.well-known/openid-configuration`);
  await bff.fetch(`${bff.origin}/bff/user`);
  const texts = [(await bffMetrics.render()).body, (await metricsRenderer(asRegistry)()).body];
  await bff.close();
  await provider.close();
  const registered = new Map<string, string>();
  for (const text of texts) {
    for (const [, name, type] of text.matchAll(/^# TYPE (gatehouse_[a-z_]+) ([a-z]+)$/gm)) {
      registered.set(name as string, type as string);
    }
  }
  return registered;
}

describe('the metrics table in docs/operations.md', () => {
  it('lists every metric the servers register, with its type, and no other', async () => {
    const registered = await registeredMetrics();
    const documented = documentedMetrics();
    expect(registered.size).toBeGreaterThan(10);
    expect(Object.fromEntries(documented), 'docs/operations.md: add or fix the metric rows').toEqual(
      Object.fromEntries(registered),
    );
  });
});
