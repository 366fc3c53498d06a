/** A person who can sign in at Example Social; the consent page offers each as "Continue as <name>". */
export interface SocialUser {
  id: string;
  name: string;
  email?: string;
  emailVerified?: boolean;
}

/** An app registered at Example Social; `redirectUris` are matched exactly. */
export interface SocialClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface SocialProviderOptions {
  clients: SocialClient[];
  users: SocialUser[];
  /** Access-token lifetime in seconds. Default 3600. */
  accessTokenTtlSeconds?: number;
  /** The profile API refuses calls without a correct appsecret_proof. Default true. */
  requireAppsecretProof?: boolean;
  /** Milliseconds since the epoch. Default Date.now. */
  now?: () => number;
}

/** The options once checked: lookups by id, defaults applied, frozen. */
export interface ProviderConfig {
  readonly clients: ReadonlyMap<string, Readonly<SocialClient>>;
  readonly users: ReadonlyMap<string, Readonly<SocialUser>>;
  readonly accessTokenTtlSeconds: number;
  readonly requireAppsecretProof: boolean;
  readonly now: () => number;
}

const knownKeys = new Set(['clients', 'users', 'accessTokenTtlSeconds', 'requireAppsecretProof', 'now']);

/** Checks the options once, at start; misuse is a `TypeError`. The caller's objects are copied, never changed. */
export function readOptions(options: SocialProviderOptions): ProviderConfig {
  // A misspelt key must fail, not fall back to a default.
  for (const key of Object.keys(options)) if (!knownKeys.has(key)) fail(`unknown option ${key}`);
  if (!Array.isArray(options.clients) || !Array.isArray(options.users)) fail('clients and users must be arrays');
  const clients = new Map<string, Readonly<SocialClient>>();
  for (const client of options.clients) {
    if (!client.clientId || !client.clientSecret) fail('every client needs a clientId and a clientSecret');
    if (clients.has(client.clientId)) fail(`client ${client.clientId} is listed twice`);
    if (!client.redirectUris?.length) fail(`client ${client.clientId} needs a redirect URI`);
    for (const uri of client.redirectUris) checkRedirectUri(uri);
    clients.set(client.clientId, Object.freeze({ ...client, redirectUris: [...client.redirectUris] }));
  }
  const users = new Map<string, Readonly<SocialUser>>();
  for (const user of options.users) {
    if (!user.id || !user.name) fail('every user needs an id and a name');
    if (users.has(user.id)) fail(`user ${user.id} is listed twice`);
    users.set(user.id, Object.freeze({ ...user }));
  }
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 1) fail('accessTokenTtlSeconds must be a whole number of seconds, at least 1');
  return Object.freeze({
    clients,
    users,
    accessTokenTtlSeconds: ttl,
    requireAppsecretProof: options.requireAppsecretProof ?? true,
    now: options.now ?? Date.now,
  });
}

/** RFC 6749 §3.1.2: absolute, no fragment; http(s) only, since the responses are browser redirects. */
function checkRedirectUri(uri: string): void {
  if (!URL.canParse(uri) || !/^https?:$/.test(new URL(uri).protocol) || uri.includes('#'))
    fail(`redirect URI ${uri} must be an absolute http(s) URL without a fragment`);
}

function fail(message: string): never {
  throw new TypeError(`example social: ${message}`);
}
