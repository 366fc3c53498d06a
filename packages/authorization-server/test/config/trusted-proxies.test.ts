import { parseForm, startAuthorizationServer, TestBrowser } from '@gatehouse/test-kit';
import { describe, expect, it } from 'vitest';

/** Fails a sign-in three times, each "from" another browser address as a proxy would report it. */
async function failFromThreeAddresses(trustedProxies: string[]): Promise<number[]> {
  const server = await startAuthorizationServer({
    trustedProxies,
    rateLimits: { loginFailuresPerIp: 2, loginFailuresPerAccount: 100 },
  });
  try {
    const browser = new TestBrowser();
    const page = await browser.navigate(`${server.issuer}/login`);
    const form = parseForm(await page.text(), `${server.issuer}/login`);
    const cookie = browser.cookieHeader(server.issuer) as string;
    const statuses: number[] = [];
    for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      const response = await fetch(form.action, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': address },
        body: new URLSearchParams({ ...form.fields, email: 'nobody@example.com', password: 'wrong password 1' }),
      });
      statuses.push(response.status);
    }
    return statuses;
  } finally {
    await server.close();
  }
}

describe('trustedProxies', () => {
  it('counts failed sign-ins per browser address when the proxy in front is trusted', async () => {
    expect(await failFromThreeAddresses(['127.0.0.1'])).toEqual([400, 400, 400]);
  });

  it('ignores X-Forwarded-For from anyone else, so a client cannot dodge the per-IP limit', async () => {
    expect(await failFromThreeAddresses([])).toEqual([400, 429, 429]);
  });
});
