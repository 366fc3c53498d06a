import { cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuthorizationServer, loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { buildDemoApi, loadDemoApiConfig } from '@gatehouse/demo-api';
import { createSocialProvider } from '@gatehouse/demo-upstream';
import { closeGracefully } from '@gatehouse/server-kit';
import { StoreError } from '@gatehouse/store';
import type { FastifyInstance } from 'fastify';
import { type Command, exitCode, UsageError } from '../command.js';
import { type DevLayout, demoUserEmail, devConfigs, devUrls } from '../dev/dev-configs.js';
import { loadDevSecrets } from '../dev/dev-secrets.js';
import { startScheduledPostWorker } from '../dev/scheduled-post-worker.js';
import { parseFlags } from '../flags.js';

/** The demo SPA's build, next to this package in the repository. */
const defaultWebDir = fileURLToPath(new URL('../../../../apps/demo/web/dist', import.meta.url));

export const devCommand: Command = {
  path: ['dev'],
  summary: 'run the whole demo on localhost (authorization server, BFF + SPA, demo API)',
  help: `Usage: gatehouse dev [flags]

Runs the demo in one process: the authorization server, the demo API, and the BFF serving the demo
SPA, with SQLite state in the state folder (kept across restarts: accounts, keys, secrets). Creates
the demo account on first start and prints its password. This is what \`npm start\` runs.

  --as-port N            authorization server port (default 4000)
  --api-port N           demo API port (default 5000)
  --bff-port N           BFF + SPA port (default 3000)
  --upstream-port N      Example Social, the demo's upstream sign-in provider (default 4100)
  --host NAME            host name in every URL (default localhost)
  --state-dir DIR        where state lives (default .gatehouse)
  --web-dir DIR          the built SPA (default apps/demo/web/dist)
  --access-token-ttl S   access-token lifetime in seconds (default 300)
  -h, --help             this text

Stops cleanly on SIGINT or SIGTERM. Exit codes: 0 stopped cleanly, 1 could not start, 2 bad flags.`,

  async run(args, io) {
    const flags = parseFlags('dev', args, {
      'as-port': { type: 'string' },
      'api-port': { type: 'string' },
      'bff-port': { type: 'string' },
      'upstream-port': { type: 'string' },
      host: { type: 'string' },
      'state-dir': { type: 'string' },
      'web-dir': { type: 'string' },
      'access-token-ttl': { type: 'string' },
    });
    if (flags.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    const layout: DevLayout = {
      hostName: hostFlag(flags.host),
      listenHost: '127.0.0.1',
      asPort: portFlag('as-port', flags['as-port'], 4000),
      apiPort: portFlag('api-port', flags['api-port'], 5000),
      bffPort: portFlag('bff-port', flags['bff-port'], 3000),
      upstreamPort: portFlag('upstream-port', flags['upstream-port'], 4100),
      stateDir: resolve(flags['state-dir'] ?? '.gatehouse'),
      accessTokenTtlSeconds: integerFlag('access-token-ttl', flags['access-token-ttl'], 300, 30, 86_400),
    };
    const started = Date.now();
    const { secrets, created } = await loadDevSecrets(layout.stateDir);
    const configs = devConfigs(layout, secrets);
    const webReady = await prepareWeb(flags['web-dir'] ?? defaultWebDir, join(layout.stateDir, 'web'), configs.web);

    const running: FastifyInstance[] = [];
    let stopWorker: () => void = () => undefined;
    // The BFF first (its proxied calls finish), then the API, the AS, Example Social; each of ours
    // drains as in production (answers close their connections, in-flight calls finish, 10 s at most).
    const stopAll = async () => {
      stopWorker();
      for (const app of running.reverse()) {
        if (app.hasDecorator('lifecycle')) await closeGracefully(app, { drainDelayMs: 0, drainTimeoutMs: 10_000 });
        else await app.close();
      }
    };
    try {
      const social = createSocialProvider(configs.social).app;
      running.push(social);
      await social.listen({ port: layout.upstreamPort, host: layout.listenHost });
      const as = await createAuthorizationServer(
        loadAuthorizationServerConfig(configs.authorizationServer, 'dev: authorization server'),
      );
      running.push(as);
      await as.listen({ port: layout.asPort, host: layout.listenHost });
      const api = await buildDemoApi(loadDemoApiConfig(configs.api));
      running.push(api);
      await api.listen({ port: layout.apiPort, host: layout.listenHost });
      const bff = await createBff(loadBffConfig(configs.bff, 'dev: bff'));
      running.push(bff);
      await bff.listen({ port: layout.bffPort, host: layout.listenHost });
      stopWorker = startScheduledPostWorker(api, bff, devUrls(layout).apiUrl);
    } catch (error) {
      await stopAll();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || error instanceof StoreError) {
        io.stderr(`gatehouse dev: cannot start: ${(error as Error).message}`);
        return exitCode.failure;
      }
      throw error;
    }

    const { issuer, apiUrl, bffOrigin, upstreamUrl } = devUrls(layout);
    io.stdout(
      [
        `Gatehouse demo ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        `  app (BFF + SPA)        ${bffOrigin}/`,
        `  no-backend page        ${bffOrigin}/public-client.html`,
        `  authorization server   ${issuer}/  (profile: ${issuer}/profile)`,
        `  demo API               ${apiUrl}/`,
        `  Example Social         ${upstreamUrl}/  (an upstream sign-in provider: "Continue with Example Social")`,
        `  demo account           ${demoUserEmail} / ${secrets.demoPassword}${created ? '  (new; kept in ' : '  (from '}${join(layout.stateDir, 'dev-secrets.json')})`,
        ...(webReady ? [] : [`  note: no built SPA in ${flags['web-dir'] ?? defaultWebDir}; run npm run build`]),
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
    const signal = await io.stopSignal;
    io.stdout(`gatehouse dev: ${signal}, draining every server`);
    const stopping = performance.now();
    await stopAll();
    io.stdout(`gatehouse dev: stopped in ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
    return exitCode.ok;
  },
};

/**
 * Copies the built SPA into the state folder and writes its runtime config beside it, so the same
 * build works on any ports. False when there is no build.
 */
async function prepareWeb(source: string, target: string, webConfig: object): Promise<boolean> {
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  const built = await stat(join(source, 'index.html')).then(
    () => true,
    () => false,
  );
  if (built) await cp(source, target, { recursive: true });
  await writeFile(join(target, 'demo-config.json'), `${JSON.stringify(webConfig, null, 2)}\n`);
  return built;
}

function portFlag(name: string, value: string | undefined, fallback: number): number {
  return integerFlag(name, value, fallback, 1, 65_535);
}

function integerFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new UsageError(`gatehouse dev: --${name}: expected an integer from ${min} to ${max}`);
  }
  return parsed;
}

function hostFlag(value: string | undefined): string {
  const host = value ?? 'localhost';
  if (!/^(localhost|127\.0\.0\.1|\[::1\])$/.test(host)) {
    throw new UsageError('gatehouse dev: --host: the demo runs on loopback only (localhost or 127.0.0.1)');
  }
  return host;
}
