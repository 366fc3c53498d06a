import type { Interactions } from '../../stores/interactions.js';
import type { LoadedSession, ProviderSessions } from '../../stores/provider-sessions.js';

/** What completing a sign-in touches. */
export interface SignInServices {
  sessions: Pick<ProviderSessions, 'load' | 'start' | 'end'>;
  interactions: Pick<Interactions, 'recordSignIn'>;
  /** Milliseconds since the epoch. */
  now: () => number;
}

export interface CompletedSignIn {
  session: LoadedSession;
  /** The new session's cookie. */
  setCookie: string;
  /** The interaction the sign-in was recorded on, when one was named and this browser started it. */
  interactionId: string | undefined;
}

/**
 * The one way a user becomes signed in, by password or at an upstream alike: the browser's previous
 * provider session ends, a new one starts under a new id (never a pre-login value: no session
 * fixation), and the pending interaction, if it is this browser's, records that this account signed
 * in in this new session — which is what `prompt=login` and `max_age` later ask for.
 */
export async function completeSignIn(
  services: SignInServices,
  cookieHeader: string | undefined,
  account: { sub: string; amr: string[] },
  interactionId: string | undefined,
): Promise<CompletedSignIn> {
  const previous = await services.sessions.load(cookieHeader);
  if (previous) await services.sessions.end(previous.id);
  const { loaded, cookie } = await services.sessions.start(account.sub, account.amr, services.now());
  const recorded =
    interactionId !== undefined &&
    (await services.interactions.recordSignIn(interactionId, cookieHeader, {
      sub: loaded.session.sub,
      sid: loaded.session.sid,
    }));
  return { session: loaded, setCookie: cookie, interactionId: recorded ? interactionId : undefined };
}
