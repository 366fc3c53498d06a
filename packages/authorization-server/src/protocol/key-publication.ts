/**
 * How a new signing key reaches everyone who verifies tokens, and so how long it must wait before
 * it signs. The one place these numbers live: the JWKS endpoint, the key ring and the config check
 * all read them from here.
 */

/** How long a JWKS answer may be cached (its `Cache-Control: max-age`), in seconds. */
export const jwksMaxAgeSeconds = 300;

/**
 * How often each instance re-reads the key list from the store, in seconds, whatever it heard.
 * A rotation is announced through the store's notifications and seen at once; this poll is the
 * safety net for an instance that missed the announcement (SQLite has no notifications; a message
 * sent while a connection was down is lost).
 */
export const keyReloadSeconds = 60;

/**
 * The shortest safe `keyActivationDelaySeconds`: by the time a new key signs, every JWKS copy must
 * hold it. Worst case: an instance that missed the announcement serves its old JWKS for up to
 * {@link keyReloadSeconds}, and a verifier (or HTTP cache) that fetched that copy just before keeps
 * it for {@link jwksMaxAgeSeconds}. 300 + 60 = 360 s.
 */
export const minimumKeyActivationDelaySeconds = jwksMaxAgeSeconds + keyReloadSeconds;
