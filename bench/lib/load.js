import autocannon from 'autocannon';

/**
 * Drives one HTTP target with autocannon on loopback for a bounded time and returns the figures
 * every results table uses.
 *
 * @param {{ url: string, method?: string, headers?: Record<string, string>, body?: string,
 *           connections?: number, durationSeconds?: number, requests?: object[] }} options
 */
export async function measureHttp(options) {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    requests: options.requests,
    connections: options.connections ?? 50,
    duration: options.durationSeconds ?? 5,
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
