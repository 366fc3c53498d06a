import { BrowserBinding } from '@gatehouse/oidc-client';
import type { JsonValue, Store } from '@gatehouse/store';
import { randomToken } from '../primitives/random.js';
import type { AuthorizationRequest } from '../protocol/authorization-request.js';
import type { LoadedSession } from './provider-sessions.js';

/** Who did something on an interaction: the account and the provider session (its `sid`) it was done in. */
export interface InteractionActor {
  sub: string;
  sid: string;
}

/** An authorization request waiting for the user to sign in or consent, in the browser that sent it. */
export interface Interaction {
  request: AuthorizationRequest;
  /** Hash of the browser-binding cookie of the browser that started it. */
  browser: string;
  /** The sign-in made on this interaction (meets `prompt=login` and `max_age` for that session only). */
  signIn?: InteractionActor;
  /** The consent page answered "Allow" on this interaction (meets `prompt=consent` for that session only). */
  consent?: InteractionActor;
}

/** Why an interaction could not be opened: gone (expired, finished, never existed) or another browser's. */
export type InteractionRefusal = 'expired' | 'other-browser';

/** The id carried in the interaction pages' URLs and in the sign-in forms. */
export const interactionIdPattern = /^[A-Za-z0-9_-]{32}$/;
export const interactionCookieName = '__Host-gh-as-interaction';
const namespace = 'interactions';
const ttlSeconds = 30 * 60;

/** Whether `actor` is the account and provider session of `session`. */
export function isActedBy(actor: InteractionActor | undefined, session: LoadedSession | undefined): boolean {
  return (
    actor !== undefined &&
    session !== undefined &&
    actor.sub === session.session.sub &&
    actor.sid === session.session.sid
  );
}

/**
 * Pending authorization requests, by a random id, bound to the browser that started them
 * (SECURITY.md §4): every read takes the request's `Cookie` header, and an interaction opened in
 * another browser is not found — an interaction id alone grants nothing.
 */
export class Interactions {
  readonly #store: Store;
  readonly #binding = new BrowserBinding(interactionCookieName, ttlSeconds);

  constructor(store: Store) {
    this.#store = store;
  }

  /** Stores the request for this browser; returns its id and the binding cookie to set. */
  async start(
    request: AuthorizationRequest,
    cookieHeader: string | undefined,
  ): Promise<{ id: string; setCookie: string }> {
    const id = randomToken(24);
    const binding = this.#binding.bind(cookieHeader);
    await this.#store.put(namespace, id, toJson({ request, browser: binding.hash }), { ttlSeconds });
    return { id, setCookie: binding.setCookie };
  }

  /** The interaction if this browser started it; else why not (the error page tells the two apart). */
  async open(id: string | undefined, cookieHeader: string | undefined): Promise<Interaction | InteractionRefusal> {
    if (id === undefined || !interactionIdPattern.test(id)) return 'expired';
    const found = (await this.#store.get(namespace, id)) as Interaction | undefined;
    if (!found) return 'expired';
    return this.#binding.holds(cookieHeader, found.browser) ? found : 'other-browser';
  }

  /** The interaction, if it exists and this browser started it. */
  async find(id: string | undefined, cookieHeader: string | undefined): Promise<Interaction | undefined> {
    const opened = await this.open(id, cookieHeader);
    return typeof opened === 'string' ? undefined : opened;
  }

  /** Records who signed in on the interaction; false when this browser has no such interaction. */
  async recordSignIn(id: string, cookieHeader: string | undefined, actor: InteractionActor): Promise<boolean> {
    return this.#record(id, cookieHeader, { signIn: actor });
  }

  /** Records who allowed the request on the consent page; false when this browser has no such interaction. */
  async recordConsent(id: string, cookieHeader: string | undefined, actor: InteractionActor): Promise<boolean> {
    return this.#record(id, cookieHeader, { consent: actor });
  }

  /** Ends this browser's interaction; of concurrent finishers, only one gets it (so one code per interaction). */
  async finish(id: string, cookieHeader: string | undefined): Promise<Interaction | undefined> {
    if (!(await this.find(id, cookieHeader))) return undefined;
    return (await this.#store.take(namespace, id)) as Interaction | undefined;
  }

  async #record(id: string, cookieHeader: string | undefined, change: Partial<Interaction>): Promise<boolean> {
    const found = await this.find(id, cookieHeader);
    if (!found) return false;
    await this.#store.put(namespace, id, toJson({ ...found, ...change }), { ttlSeconds });
    return true;
  }
}

/** The request's optional fields are `undefined` when absent; stored JSON simply leaves them out. */
function toJson(interaction: Interaction): JsonValue {
  return JSON.parse(JSON.stringify(interaction)) as JsonValue;
}
