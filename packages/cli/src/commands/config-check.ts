import { authorizationServerConfigSchema, loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import { bffConfigSchema, DiscoveryError, loadBffConfig, ProviderUnavailableError } from '@gatehouse/bff';
import { listSecretValues, readConfigFile } from '@gatehouse/config';
import { StoreError } from '@gatehouse/store';
import { type Check, CheckFailedError, CheckTimeoutError, withDeadline } from '../checks/check.js';
import { providerChecks, upstreamDiscoveryCheck } from '../checks/provider-checks.js';
import { secretRedactor } from '../checks/redact-secrets.js';
import { storeChecks } from '../checks/store-checks.js';
import { type Command, exitCode, UsageError } from '../command.js';
import { parseFlags, requireFlag } from '../flags.js';

const kinds = ['authorization-server', 'bff'] as const;
type Kind = (typeof kinds)[number];

/** Time allowed to each check, in milliseconds. */
const checkTimeoutMs = 10_000;

export const configCheckCommand: Command = {
  path: ['config', 'check'],
  summary: 'validate a config file and check that its store and provider answer, without starting',
  help: `Usage: gatehouse config check --config FILE [--kind authorization-server|bff]

Checks a configuration as the server would at start, without starting it: the schema and the
cross-field rules (secrets given as { "env": … } or { "file": … } resolved), then what it must
reach: the store (opened without migrating, pinged once, closed), for a BFF the provider's
discovery document and JWKS, for an authorization server the discovery document of each OpenID
upstream. One line per check, "ok" or "failed: reason". No secret is printed.

  --config FILE   the configuration (JSON)
  --kind KIND     authorization-server or bff; by default told from the file's fields
  -h, --help      this text

Exit codes: 0 every check passed, 1 a check failed, 2 bad flags or an invalid config (one line
naming the field).`,

  async run(args, io) {
    const flags = parseFlags('config check', args, { config: { type: 'string' }, kind: { type: 'string' } });
    if (flags.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    const path = requireFlag('config check', 'config', flags.config);
    if (flags.kind !== undefined && !(kinds as readonly string[]).includes(flags.kind)) {
      throw new UsageError(`gatehouse config check: --kind must be ${kinds.join(' or ')}`);
    }
    const input = await readConfigFile(path);
    const kind = (flags.kind as Kind | undefined) ?? inferKind(input, path);
    // An invalid config throws its one-line ConfigError here: exit 2, before anything is reached.
    const { checks, secrets } = kind === 'bff' ? bffChecks(input, path) : authorizationServerChecks(input, path);
    const redact = secretRedactor(secrets);
    io.stdout(`config: ok (${kind})`);
    let failed = 0;
    for (const check of checks) {
      try {
        const detail = await withDeadline(check.run(), checkTimeoutMs);
        io.stdout(redact(`${check.name}: ok (${detail})`));
      } catch (error) {
        failed += 1;
        io.stderr(redact(`${check.name}: failed: ${describeFailure(error)}`));
      }
    }
    return failed === 0 ? exitCode.ok : exitCode.failure;
  },
};

function bffChecks(input: unknown, path: string): { checks: Check[]; secrets: string[] } {
  const config = loadBffConfig(input, path);
  return {
    checks: [
      ...storeChecks(config.store, config.storeMigration, checkTimeoutMs),
      ...providerChecks(config.issuer, config.idTokenSigningAlg, checkTimeoutMs),
    ],
    secrets: listSecretValues(bffConfigSchema, config),
  };
}

function authorizationServerChecks(input: unknown, path: string): { checks: Check[]; secrets: string[] } {
  const config = loadAuthorizationServerConfig(input, path);
  const upstreams = config.upstreams.map((upstream): Check => {
    if (upstream.type === 'oidc' && upstream.issuer !== undefined) {
      return upstreamDiscoveryCheck(upstream.name, upstream.issuer, checkTimeoutMs);
    }
    // A plain OAuth 2.0 upstream publishes nothing to fetch; its endpoints are met at sign-in.
    return { name: `upstream ${upstream.name}`, run: async () => 'type oauth2: nothing to fetch before a sign-in' };
  });
  return {
    checks: [...storeChecks(config.store, config.storeMigration, checkTimeoutMs), ...upstreams],
    secrets: listSecretValues(authorizationServerConfigSchema, config),
  };
}

/** Which part a file configures, from the fields only one of them has. */
function inferKind(input: unknown, path: string): Kind {
  const fields = input !== null && typeof input === 'object' ? Object.keys(input) : [];
  const has = (names: readonly string[]) => names.some((name) => fields.includes(name));
  const bff = has(['clientId', 'clientSecret', 'publicUrl', 'tokenEncryptionKeys', 'routes']);
  const as = has(['cookieSecrets', 'clients', 'users', 'resources']);
  if (bff !== as) return bff ? 'bff' : 'authorization-server';
  throw new UsageError(
    `gatehouse config check: cannot tell what ${path} configures; add --kind authorization-server or --kind bff`,
  );
}

/**
 * Why a check failed: messages written to be shown (never a URL with its password), and for a store
 * the driver's own first line (`ECONNREFUSED`, `WRONGPASS`), which the caller still redacts.
 */
function describeFailure(error: unknown): string {
  if (error instanceof StoreError) {
    const cause = error.cause instanceof Error ? error.cause.message.split('\n')[0]?.slice(0, 200) : undefined;
    return cause ? `${error.message} (${cause})` : error.message;
  }
  if (
    error instanceof DiscoveryError ||
    error instanceof ProviderUnavailableError ||
    error instanceof CheckFailedError ||
    error instanceof CheckTimeoutError ||
    // openStore's refusal of a location it cannot use (a fixed sentence, never the URL)
    error instanceof TypeError
  ) {
    return error.message;
  }
  return `unexpected ${(error as Error).name ?? 'error'}: ${(error as Error).message}`;
}
