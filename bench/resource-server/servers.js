// The systems under test for the resource-server benchmark, in a process of their own (the load
// generator runs in bench/resource-server/run.js). Sends the targets and a token to the parent.
import { createServer } from 'node:http';
import { createRequestVerifier, expressRequireToken, resourceServer } from '@gatehouse/resource-server';
import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import Fastify from 'fastify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const audience = 'https://api.bench';
const body = { forecasts: [{ date: '2030-01-01', temperatureC: 21, summary: 'Mild' }] };

// The issuer: discovery and a JWKS on loopback, one ES256 key.
const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-key', alg: 'ES256', use: 'sig' };
const issuerServer = createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(request.url === '/jwks' ? { keys: [jwk] } : { issuer, jwks_uri: `${issuer}/jwks` }));
});
await new Promise((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${issuerServer.address().port}`;
const token = await new SignJWT({ client_id: 'spa', scope: 'api' })
  .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'bench-key' })
  .setIssuer(issuer)
  .setAudience(audience)
  .setSubject('alice')
  .setIssuedAt()
  .setExpirationTime('2h')
  .sign(privateKey);

async function listenFastify(app) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${app.server.address().port}`;
}
async function listenExpress(app) {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

const verifier = createRequestVerifier({ issuer, audience });

const open = Fastify();
open.get('/weatherforecast', async () => body);

const protectedApp = Fastify();
await protectedApp.register(resourceServer, { verifier, scopes: { allOf: ['api'] } });
protectedApp.get('/weatherforecast', async () => body);

// The same, with the verified-token cache off: the ES256 signature is checked on every call.
const uncachedApp = Fastify();
const uncachedVerifier = createRequestVerifier({ issuer, audience, verifiedTokenCache: { maxEntries: 0 } });
await uncachedApp.register(resourceServer, { verifier: uncachedVerifier, scopes: { allOf: ['api'] } });
uncachedApp.get('/weatherforecast', async () => body);

const expressOurs = express();
expressOurs.get('/weatherforecast', expressRequireToken(verifier, { allOf: ['api'] }), (_request, response) =>
  response.json(body),
);

const expressPeer = express();
expressPeer.get(
  '/weatherforecast',
  auth({ issuerBaseURL: issuer, audience, tokenSigningAlg: 'ES256' }),
  requiredScopes('api'),
  (_request, response) => response.json(body),
);
// Answer the peer's refusals (the 401 check in run.js) without Express logging a stack trace.
expressPeer.use((error, _request, response, _next) => {
  response
    .status(error.status ?? 500)
    .set(error.headers ?? {})
    .end();
});

const targets = [
  { name: 'Fastify, unprotected (the ceiling)', url: `${await listenFastify(open)}/weatherforecast` },
  {
    name: 'Fastify + @gatehouse/resource-server',
    url: `${await listenFastify(protectedApp)}/weatherforecast`,
    auth: true,
  },
  {
    name: 'Express + @gatehouse/resource-server',
    url: `${await listenExpress(expressOurs)}/weatherforecast`,
    auth: true,
  },
  {
    name: 'Express + express-oauth2-jwt-bearer (the peer)',
    url: `${await listenExpress(expressPeer)}/weatherforecast`,
    auth: true,
  },
  {
    name: 'Fastify + @gatehouse/resource-server, verified-token cache off',
    url: `${await listenFastify(uncachedApp)}/weatherforecast`,
    auth: true,
  },
];
process.send({ token, body: JSON.stringify(body), targets });
process.on('disconnect', () => process.exit(0));
