import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../src/test-browser.js';
import { fetchOver, httpTransport, injectTransport, transportByOrigin } from '../src/transport.js';

/** A site that echoes what the browser sent and sets the cookies and redirects a test asks for. */
async function echoSite(): Promise<FastifyInstance> {
  const app = Fastify();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  const echo = async (request: { headers: Record<string, unknown>; method: string; body?: unknown }) => ({
    method: request.method,
    headers: request.headers,
    body: request.body ?? null,
  });
  app.get('/echo', echo);
  app.post('/echo', echo);
  app.get('/set', async (_request, reply) => {
    reply.header('set-cookie', [
      '__Host-strict=s; Path=/; Secure; HttpOnly; SameSite=Strict',
      '__Host-lax=l; Path=/; Secure; HttpOnly; SameSite=Lax',
    ]);
    return 'set';
  });
  app.get('/form', async (_request, reply) => {
    reply.header('referrer-policy', 'no-referrer').type('text/html');
    return '<form method="post" action="/echo"><input type="hidden" name="csrf" value="t&amp;1"></form>';
  });
  const redirect = async (request: { query: unknown }, reply: { redirect(to: string, code: 303): unknown }) =>
    reply.redirect((request.query as { to: string }).to, 303);
  app.get('/redirect', redirect);
  app.post('/redirect', redirect);
  return app;
}

type Echo = { method: string; headers: Record<string, string | undefined>; body: string | null };

describe('the test browser', () => {
  const site = 'https://app.test';
  const other = 'https://other.test';
  let app: FastifyInstance;
  let otherApp: FastifyInstance;
  const browser = () =>
    new TestBrowser({
      origin: site,
      transport: transportByOrigin({ [site]: injectTransport(app), [other]: injectTransport(otherApp) }),
    });

  beforeAll(async () => {
    app = await echoSite();
    otherApp = await echoSite();
  });
  afterAll(async () => {
    await app.close();
    await otherApp.close();
  });

  it('sends a navigation as a browser does: navigate, document, no Origin on a GET', async () => {
    const sent = (await (await browser().navigate('/echo')).json()) as Echo;
    expect(sent.headers).toMatchObject({ 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' });
    expect(sent.headers['sec-fetch-site']).toBe('same-origin');
    expect(sent.headers.origin).toBeUndefined();
  });

  it("says 'none' for a navigation nobody's page started, and cross-site for one another site started", async () => {
    const typed = new TestBrowser({ transport: injectTransport(app) });
    expect(((await (await typed.navigate(`${site}/echo`)).json()) as Echo).headers['sec-fetch-site']).toBe('none');
    const fromElsewhere = (await (await browser().navigate('/echo', { from: 'https://evil.example' })).json()) as Echo;
    expect(fromElsewhere.headers['sec-fetch-site']).toBe('cross-site');
  });

  it('sends a script request in cors mode with x-csrf when asked, and the Origin on a POST', async () => {
    const get = (await (await browser().fetch('/echo', { csrf: true })).json()) as Echo;
    expect(get.headers).toMatchObject({ 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty', 'x-csrf': '1' });
    expect(get.headers.origin).toBeUndefined();
    const post = (await (await browser().fetch('/echo', { method: 'POST' })).json()) as Echo;
    expect(post.headers.origin).toBe(site);
  });

  it('lets a header the test gives replace the browser’s own', async () => {
    const sent = (await (
      await browser().fetch('/echo', { headers: { 'sec-fetch-site': 'cross-site' } })
    ).json()) as Echo;
    expect(sent.headers['sec-fetch-site']).toBe('cross-site');
  });

  it('keeps cookies by SameSite: Strict only same-site, Lax on a cross-site top-level GET too', async () => {
    const user = browser();
    await user.navigate('/set');
    expect(user.cookieNames()).toEqual(['__Host-strict', '__Host-lax']);
    const sameSite = (await (await user.navigate('/echo')).json()) as Echo;
    expect(sameSite.headers.cookie).toBe('__Host-strict=s; __Host-lax=l');
    const crossSite = (await (await user.navigate('/echo', { from: other })).json()) as Echo;
    expect(crossSite.headers.cookie).toBe('__Host-lax=l');
    const crossSitePost = (await (await user.post('/echo', {}, { from: other })).json()) as Echo;
    expect(crossSitePost.headers.cookie).toBeUndefined();
  });

  it('counts a redirect through another site as cross-site: no Strict cookie at the end of the chain', async () => {
    const user = browser();
    await user.navigate('/set');
    const back = encodeURIComponent(`${site}/echo`);
    const step = await user.follow(`${other}/redirect?to=${back}`, () => false, { from: site });
    const sent = (await step.response.json()) as Echo;
    expect(step.url).toBe(`${site}/echo`);
    expect(sent.headers['sec-fetch-site']).toBe('cross-site');
    expect(sent.headers.cookie).toBe('__Host-lax=l');
  });

  it('stops following where the test says, without requesting that URL', async () => {
    const step = await browser().follow(
      `/redirect?to=${encodeURIComponent('http://127.0.0.1:9/callback?code=c')}`,
      'http://127.0.0.1:9/callback',
    );
    expect(step.url).toBe('http://127.0.0.1:9/callback?code=c');
    expect(step.response.status).toBe(303);
  });

  it('submits the first form of a page with its hidden fields, Origin null under Referrer-Policy: no-referrer', async () => {
    const user = browser();
    const page = await (await user.navigate('/form')).text();
    const step = await user.submit(`${site}/form`, page, { name: 'x' }, () => false);
    const sent = (await step.response.json()) as Echo;
    expect(sent.method).toBe('POST');
    expect(sent.body).toBe('csrf=t%261&name=x');
    expect(sent.headers.origin).toBe('null');
    expect(sent.headers['sec-fetch-mode']).toBe('navigate');
  });

  it('refuses a relative URL when it has no page to resolve it against', () => {
    expect(() => new TestBrowser().navigate('/echo')).toThrow(TypeError);
  });
});

describe('transports', () => {
  let app: FastifyInstance;
  let origin: string;

  beforeAll(async () => {
    app = await echoSite();
    origin = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  it('sends Sec-Fetch-Mode: navigate over real HTTP as given (Node’s fetch would say cors)', async () => {
    const sent = (await (await new TestBrowser({ origin }).navigate('/echo')).json()) as Echo;
    expect(sent.headers['sec-fetch-mode']).toBe('navigate');
  });

  it('answers through inject() as over HTTP, byte for byte in the body', async () => {
    const request = () => new Request(`${origin}/form`);
    const [overHttp, injected] = await Promise.all([httpTransport(request()), injectTransport(app)(request())]);
    expect(injected.status).toBe(overHttp.status);
    expect(await injected.text()).toBe(await overHttp.text());
    expect(injected.headers.get('referrer-policy')).toBe(overHttp.headers.get('referrer-policy'));
  });

  it('follows redirects in fetchOver as fetch does: 303 becomes a GET, the final URL is reported', async () => {
    const fetchIt = fetchOver(injectTransport(app));
    const response = await fetchIt(`${origin}/redirect?to=/echo`, { method: 'POST', body: 'a=1' });
    expect(response.url).toBe(`${origin}/echo`);
    expect(response.redirected).toBe(true);
    expect(((await response.json()) as Echo).method).toBe('GET');
    const manual = await fetchIt(`${origin}/redirect?to=/echo`, { redirect: 'manual' });
    expect(manual.status).toBe(303);
  });

  it('drops the authorization header when a redirect leaves the origin', async () => {
    const elsewhere = await echoSite();
    const fetchIt = fetchOver(
      transportByOrigin({ [origin]: injectTransport(app), 'https://elsewhere.test': injectTransport(elsewhere) }),
    );
    const to = encodeURIComponent('https://elsewhere.test/echo');
    const response = await fetchIt(`${origin}/redirect?to=${to}`, { headers: { authorization: 'Bearer x' } });
    expect(((await response.json()) as Echo).headers.authorization).toBeUndefined();
    await elsewhere.close();
  });
});
