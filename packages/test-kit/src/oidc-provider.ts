import type Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';

// oidc-provider's start-up notices for a development setup (an unsupported Node version, the
// in-memory adapter, development keys and interactions, a default function left in place). A test
// peer is such a setup on purpose: the notices say nothing about the test, and print once per file.
const notice = /^oidc-provider (WARNING|NOTICE): /;

/** Runs `start` with console lines that are oidc-provider notices dropped; any other line is printed. */
async function withoutProviderNotices<T>(start: () => T | Promise<T>): Promise<T> {
  const { warn, info } = console;
  const unlessNotice =
    (print: (...data: unknown[]) => void) =>
    (...data: unknown[]) => {
      if (typeof data[0] !== 'string' || !notice.test(data[0])) print(...data);
    };
  console.warn = unlessNotice(warn);
  console.info = unlessNotice(info);
  try {
    return await start();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

/**
 * An `oidc-provider` for a test, loaded on first use (a test file that never starts one never loads
 * it) and created without its development notices. Functions it would warn about when called
 * (`ttl.ClientCredentials`, the revocation and introspection policies) should be set in `configuration`.
 */
export async function createOidcProvider(issuer: string, configuration: Configuration): Promise<Provider> {
  const { default: OidcProvider } = await withoutProviderNotices(() => import('oidc-provider'));
  return withoutProviderNotices(() => new OidcProvider(issuer, configuration));
}
