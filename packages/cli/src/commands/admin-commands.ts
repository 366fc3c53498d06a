import {
  AdminError,
  ClientMetadataError,
  loadAuthorizationServerConfig,
  openAuthorizationServerAdmin,
} from '@gatehouse/authorization-server';
import { readConfigFile } from '@gatehouse/config';
import { StoreError } from '@gatehouse/store';
import { type Command, exitCode, type Io, UsageError } from '../command.js';
import { parseFlags, requireFlag } from '../flags.js';

/** Opens the store of the server configured in FILE, runs `work`, and maps refusals to one line. */
async function withAdmin(
  name: string,
  configPath: string,
  io: Io,
  work: (admin: Awaited<ReturnType<typeof openAuthorizationServerAdmin>>) => Promise<void>,
): Promise<number> {
  const config = loadAuthorizationServerConfig(await readConfigFile(configPath), configPath);
  let admin: Awaited<ReturnType<typeof openAuthorizationServerAdmin>> | undefined;
  try {
    admin = await openAuthorizationServerAdmin(config);
    await work(admin);
    return exitCode.ok;
  } catch (error) {
    if (error instanceof AdminError || error instanceof ClientMetadataError) {
      io.stderr(`gatehouse ${name}: ${error.message}`);
      return exitCode.usage;
    }
    if (error instanceof StoreError) {
      io.stderr(`gatehouse ${name}: ${error.message}`);
      return exitCode.failure;
    }
    throw error;
  } finally {
    await admin?.close();
  }
}

export const usersAddCommand: Command = {
  path: ['users', 'add'],
  summary: 'create an account on the authorization server',
  help: `Usage: gatehouse users add --config FILE --email E --password-stdin [--name N]

Creates an email + password account in the store of the authorization server configured in FILE.
The password is read from standard input (never a flag: flags end up in shell history), one line.

  --config FILE      the authorization server configuration (JSON)
  --email E          the account's email address
  --password-stdin   read the password from standard input
  --name N           the display name (optional)
  -h, --help         this text

Exit codes: 0 created, 1 store unreachable, 2 bad flags, config, email taken or weak password.`,

  async run(args, io) {
    const flags = parseFlags('users add', args, {
      config: { type: 'string' },
      email: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      name: { type: 'string' },
    });
    if (flags.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    const configPath = requireFlag('users add', 'config', flags.config);
    const email = requireFlag('users add', 'email', flags.email);
    if (!flags['password-stdin']) throw new UsageError('gatehouse users add: --password-stdin is required');
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    return withAdmin('users add', configPath, io, async (admin) => {
      const { sub } = await admin.addUser({ email, password, name: flags.name });
      io.stdout(`created ${email} (sub ${sub})`);
    });
  },
};

export const clientsAddCommand: Command = {
  path: ['clients', 'add'],
  summary: 'register a client (RFC 7591 metadata) with the authorization server',
  help: `Usage: gatehouse clients add --config FILE --json CLIENT_METADATA

Registers (or replaces) a client in the store of the authorization server configured in FILE.
CLIENT_METADATA is a JSON object with RFC 7591 names: client_id, client_secret (at least 32
characters; stored only as a hash), redirect_uris, post_logout_redirect_uris, grant_types,
token_endpoint_auth_method, scope, backchannel_logout_uri, jwks, client_name.

  --config FILE            the authorization server configuration (JSON)
  --json CLIENT_METADATA   the client's metadata
  -h, --help               this text

Exit codes: 0 registered, 1 store unreachable, 2 bad flags, config or metadata (naming the field).`,

  async run(args, io) {
    const flags = parseFlags('clients add', args, { config: { type: 'string' }, json: { type: 'string' } });
    if (flags.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    const configPath = requireFlag('clients add', 'config', flags.config);
    let metadata: unknown;
    try {
      metadata = JSON.parse(requireFlag('clients add', 'json', flags.json));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError('gatehouse clients add: --json: not valid JSON');
    }
    return withAdmin('clients add', configPath, io, async (admin) => {
      const client = await admin.addClient(metadata);
      io.stdout(
        `registered ${client.client_id} (${client.isPublic ? 'public' : 'confidential'}, ${client.token_endpoint_auth_method})`,
      );
    });
  },
};

export const keysRotateCommand: Command = {
  path: ['keys', 'rotate'],
  summary: 'add new signing keys; the old ones stay published until their tokens expire',
  help: `Usage: gatehouse keys rotate --config FILE

Adds a new signing key per algorithm in use. It is published in the JWKS at once and starts signing
after "keyActivationDelaySeconds" (default 600, at least 360), so caches see it first; the keys it
replaces stay published until every token they signed has expired. The rotation is announced
through the store's notifications (PostgreSQL, Redis), so running servers publish the new key at
once; on SQLite, or if the announcement is lost, each server sees it within a minute.

  --config FILE   the authorization server configuration (JSON)
  -h, --help      this text

Exit codes: 0 rotated, 1 store unreachable, 2 bad flags or config.`,

  async run(args, io) {
    const flags = parseFlags('keys rotate', args, { config: { type: 'string' } });
    if (flags.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    const configPath = requireFlag('keys rotate', 'config', flags.config);
    return withAdmin('keys rotate', configPath, io, async (admin) => {
      const { kids, activatesAt } = await admin.rotateKeys();
      io.stdout(`added keys ${kids.join(', ')}; they sign from ${activatesAt.toISOString()}`);
    });
  },
};
