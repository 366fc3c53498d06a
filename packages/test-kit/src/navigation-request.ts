import { request as httpRequest } from 'node:http';

/**
 * A top-level GET navigation (a link, the address bar, `location.assign`, a redirect followed) with
 * the `Sec-Fetch-*` headers a browser gives one — `Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest:
 * document` — which the BFF's sign-in start requires when they are there. Node's `fetch` cannot
 * send them (it always sends `Sec-Fetch-Mode: cors`, whatever it is told), so this goes over
 * `node:http` and answers as `fetch` would with `redirect: 'manual'`.
 */
export function navigationRequest(url: URL, given: Headers): Promise<Response> {
  const headers: Record<string, string> = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
  for (const [name, value] of given) headers[name] = value;
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'GET', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const answer = new Headers();
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          answer.append(response.rawHeaders[i] as string, response.rawHeaders[i + 1] as string);
        }
        const status = response.statusCode as number;
        const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
        resolve(new Response(body, { status, statusText: response.statusMessage ?? '', headers: answer }));
      });
    });
    request.on('error', reject);
    request.end();
  });
}
