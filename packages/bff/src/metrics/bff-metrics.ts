/** Why a session ended, for the sign-out counter (`replaced`: by a new sign-in in the same browser). */
export type SignOutCause = 'logout' | 'backchannel' | 'refresh_failed' | 'expired' | 'replaced';

const cookieSizeBuckets = [256, 512, 1024, 2048, 4096, 8192];

/**
 * The BFF's counters, in this process, exposed in the Prometheus text format. They count events;
 * they never hold a token, a session id or a user id. Each instance is scraped on its own.
 */
export class BffMetrics {
  readonly #counters = new Map<string, number>();
  readonly #cookieSizes = new Array<number>(cookieSizeBuckets.length + 1).fill(0);
  #cookieSizeSum = 0;
  #cookieSizeCount = 0;

  /** A refresh at the provider: `done`, `merged` (another request's result reused) or `failed`. */
  refresh(outcome: 'done' | 'merged' | 'failed' | 'retried' | 'unavailable', oauthError?: string): void {
    this.#add(
      `gatehouse_bff_refreshes_total{outcome="${outcome}"${outcome === 'failed' ? `,error="${label(oauthError ?? 'other')}"` : ''}}`,
    );
  }

  signOut(cause: SignOutCause, sessions = 1): void {
    if (sessions > 0) this.#add(`gatehouse_bff_sign_outs_total{cause="${cause}"}`, sessions);
  }

  backchannel(result: 'accepted' | 'refused' | 'replayed'): void {
    this.#add(`gatehouse_bff_backchannel_logouts_total{result="${result}"}`);
  }

  /** The size of a request's `Cookie` header, to see login state or stray cookies piling up. */
  cookieHeader(bytes: number): void {
    const found = cookieSizeBuckets.findIndex((limit) => bytes <= limit);
    const bucket = found === -1 ? cookieSizeBuckets.length : found;
    this.#cookieSizes[bucket] = (this.#cookieSizes[bucket] ?? 0) + 1;
    this.#cookieSizeSum += bytes;
    this.#cookieSizeCount += 1;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines = [
      '# HELP gatehouse_bff_refreshes_total Token refreshes at the provider.',
      '# TYPE gatehouse_bff_refreshes_total counter',
      '# HELP gatehouse_bff_sign_outs_total Sessions ended, by cause.',
      '# TYPE gatehouse_bff_sign_outs_total counter',
      '# HELP gatehouse_bff_backchannel_logouts_total Back-channel logout requests, by result.',
      '# TYPE gatehouse_bff_backchannel_logouts_total counter',
      ...[...this.#counters].map(([series, value]) => `${series} ${value}`),
      '# HELP gatehouse_bff_cookie_header_bytes Size of the Cookie header of requests to the BFF.',
      '# TYPE gatehouse_bff_cookie_header_bytes histogram',
    ];
    let cumulative = 0;
    cookieSizeBuckets.forEach((limit, i) => {
      cumulative += this.#cookieSizes[i] as number;
      lines.push(`gatehouse_bff_cookie_header_bytes_bucket{le="${limit}"} ${cumulative}`);
    });
    cumulative += this.#cookieSizes[cookieSizeBuckets.length] as number;
    lines.push(
      `gatehouse_bff_cookie_header_bytes_bucket{le="+Inf"} ${cumulative}`,
      `gatehouse_bff_cookie_header_bytes_sum ${this.#cookieSizeSum}`,
      `gatehouse_bff_cookie_header_bytes_count ${this.#cookieSizeCount}`,
    );
    return `${lines.join('\n')}\n`;
  }

  #add(series: string, amount = 1): void {
    this.#counters.set(series, (this.#counters.get(series) ?? 0) + amount);
  }
}

/** Label values are the provider's error codes: keep them to the RFC 6749 charset and short. */
function label(value: string): string {
  return value.replace(/[^a-z0-9_]/gi, '_').slice(0, 40);
}
