import type { Store } from '@gatehouse/store';
import { sha256 } from '../primitives/random.js';

/** A local account's link to an account at an upstream. The local `sub` never changes. */
export interface AccountLink {
  [key: string]: string | number;
  sub: string;
  upstream: string;
  upstreamSub: string;
  /** What the profile page shows for it: the upstream email or name, or its id. */
  label: string;
  /** Milliseconds since the epoch. */
  linkedAt: number;
}

const namespace = 'upstream-links';
const userIndex = (sub: string) => `upstream-links-of:${sub}`;

/**
 * Links between (upstream, upstream user id) and local accounts. Each upstream account links to at
 * most one local account (claimed atomically) and each local account to at most one account per upstream.
 */
export class AccountLinks {
  readonly #store: Store;
  readonly #now: () => number;
  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  async find(upstream: string, upstreamSub: string): Promise<AccountLink | undefined> {
    return this.#store.get<AccountLink>(namespace, linkId(upstream, upstreamSub));
  }

  async ofUser(sub: string): Promise<AccountLink[]> {
    return (await this.#store.findByIndex<AccountLink>(userIndex(sub))).map((entry) => entry.value);
  }

  /**
   * Links the upstream account to `sub`. `taken`: it is linked to another local account (or, racing,
   * just became so); `exists`: `sub` already has an account at this upstream.
   */
  async link(
    sub: string,
    upstream: string,
    upstreamSub: string,
    label: string,
  ): Promise<'linked' | 'taken' | 'exists'> {
    const current = await this.find(upstream, upstreamSub);
    if (current) return current.sub === sub ? 'linked' : 'taken';
    if ((await this.ofUser(sub)).some((link) => link.upstream === upstream)) return 'exists';
    const link: AccountLink = { sub, upstream, upstreamSub, label, linkedAt: this.#now() };
    const claimed = await this.#store.putIfAbsent(namespace, linkId(upstream, upstreamSub), link, {
      indexes: [userIndex(sub)],
    });
    return claimed === undefined ? 'taken' : 'linked';
  }

  /** Removes `sub`'s link to `upstream`; whether there was one. */
  async unlink(sub: string, upstream: string): Promise<boolean> {
    const links = (await this.ofUser(sub)).filter((link) => link.upstream === upstream);
    for (const link of links) await this.#store.delete(namespace, linkId(link.upstream, link.upstreamSub));
    return links.length > 0;
  }
}

/** Upstream ids are the upstream's to choose (any length or alphabet): hashed into a store id. */
function linkId(upstream: string, upstreamSub: string): string {
  return `${upstream}:${sha256(upstreamSub)}`;
}
