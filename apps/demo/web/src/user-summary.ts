/** The parts of the BFF's user (`GET /bff/user`) the pages show; structurally a `BffUser`. */
export interface UserLike {
  claims: Record<string, unknown>;
  session: { expiresAt: number };
}

export interface UserSummary {
  /** `name`, else `preferred_username`, else `email`, else `sub`. */
  name: string;
  email: string | undefined;
  /** A label per `amr` value (RFC 8176), in the order given. */
  signInMethods: string[];
  /** Milliseconds since the epoch. */
  sessionExpiresAt: number;
}

// RFC 8176 §2: Authentication Method Reference Values.
const amrLabels: Readonly<Record<string, string>> = Object.freeze({
  pwd: 'Password',
  otp: 'One-time code',
  mfa: 'Multi-factor',
  mca: 'Multiple channels',
  hwk: 'Hardware key',
  swk: 'Software key',
  pop: 'Proof of possession',
  pin: 'PIN',
  sc: 'Smart card',
  sms: 'Text message',
  tel: 'Phone call',
  face: 'Face recognition',
  fpt: 'Fingerprint',
  iris: 'Iris scan',
  retina: 'Retina scan',
  vbm: 'Voice',
  kba: 'Security questions',
  geo: 'Location',
  rba: 'Risk-based',
  user: 'User presence',
  wia: 'Windows sign-in',
});

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A readable label for each `amr` value; values we do not know are shown as they are. */
export function describeSignInMethods(amr: unknown): string[] {
  if (!Array.isArray(amr)) return [];
  return amr
    .filter((value): value is string => typeof value === 'string' && value !== '')
    .map((value) => (Object.hasOwn(amrLabels, value) ? (amrLabels[value] as string) : value));
}

export function summarizeUser(user: UserLike): UserSummary {
  const { claims } = user;
  return {
    name: text(claims.name) ?? text(claims.preferred_username) ?? text(claims.email) ?? String(claims.sub ?? ''),
    email: text(claims.email),
    signInMethods: describeSignInMethods(claims.amr),
    sessionExpiresAt: user.session.expiresAt,
  };
}

/** "in 7 h 59 min", "in 3 min", "in less than a minute", or "expired", from two epoch milliseconds. */
export function describeTimeLeft(expiresAtMs: number, nowMs: number): string {
  const minutes = Math.floor((expiresAtMs - nowMs) / 60_000);
  if (expiresAtMs <= nowMs) return 'expired';
  if (minutes < 1) return 'in less than a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `in ${days} d ${hours} h`;
  if (hours > 0) return `in ${hours} h ${rest} min`;
  return `in ${rest} min`;
}

/** Up to two initials for the avatar. */
export function initialsOf(name: string): string {
  const words = name.split(/[\s@._-]+/).filter((word) => word !== '');
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0]];
  return letters
    .map((word) => (word ? Array.from(word)[0] : ''))
    .join('')
    .toUpperCase();
}
