import { randomBytes } from 'node:crypto';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import type { FastifyInstance } from 'fastify';
import { freePort } from './free-port.js';
import { startScriptedProvider } from './scripted-provider.js';

/** The BFF's client at the scripted provider. */
export const scriptedBffClient = { clientId: 'gatehouse-bff', clientSecret: 'scripted-provider-secret-0123456789' };

export interface BffOnScriptedProvider {
  provider: Awaited<ReturnType<typeof startScriptedProvider>>;
  bff: FastifyInstance;
  /** The BFF's public origin (`http://localhost:<port>`; the provider is on 127.0.0.1, another site). */
  origin: string;
  close(): Promise<void>;
}

/** A BFF (memory store, scope `openid`) signing in at a scripted provider whose ID tokens a test writes. */
export async function startBffOnScriptedProvider(): Promise<BffOnScriptedProvider> {
  const provider = await startScriptedProvider(scriptedBffClient);
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const config = loadBffConfig({
    publicUrl: origin,
    issuer: provider.issuer,
    ...scriptedBffClient,
    scopes: ['openid'],
    tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
    store: 'memory',
  });
  const bff = await createBff(config);
  await bff.listen({ port, host: '127.0.0.1' });
  return {
    provider,
    bff,
    origin,
    close: async () => {
      await bff.close();
      await provider.stop();
    },
  };
}
