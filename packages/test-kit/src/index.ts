// The test kit's public API: tests import these by name from `@gatehouse/test-kit`, never a file inside it.

// Servers under test: built (inject(), no socket) or listening on loopback.
export {
  type AuthorizationServerDeps,
  type AuthorizationServerUnderTest,
  buildAuthorizationServer,
  type HarnessOptions,
  injectedIssuer,
  listenAuthorizationServer,
  ManualClock,
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from './authorization-server.js';
// The client side of the authorization server's flows.
export {
  authorizationUrl,
  basicAuthorization,
  type ClientName,
  type CodeOptions,
  clientsWith,
  cookieValue,
  csrfOf,
  errorDescriptionCharset,
  formEncode,
  getRaw,
  headerOf,
  type IssuedCode,
  internalsPattern,
  introspect,
  obtainCode,
  obtainTokens,
  payloadOf,
  pkcePair,
  postForm,
  redeemCode,
  refreshRequest,
  type ServerClient,
  sessionCookie,
  signInAtLoginPage,
  spaRedirect,
  type TokenSet,
  tokenRequest,
  userinfo,
  usersWith,
  webAppAuthorization,
  webAppLogoutRedirect,
  webAppRedirect,
} from './authorization-server-flows.js';
export { type BffUnderTest, bffClientAt, buildBff, injectedBffOrigin } from './bff.js';
// Independent peers on loopback.
export {
  type BffOnScriptedProvider,
  scriptedBffClient,
  startBffOnScriptedProvider,
} from './bff-on-scripted-provider.js';
// The one cookie-keeping test client, and how its requests reach servers.
export { type Cookie, type CookieContext, CookieJar, isTrustworthy, type SameSite, siteOf } from './cookie-jar.js';
export { type FaultyHttpProxy, type HttpFault, startFaultyHttpProxy } from './faulty-http-proxy.js';
export { apiResource, confidentialClient, demoUser, publicClient } from './fixtures.js';
// Machinery.
export { freePort } from './free-port.js';
export { createOidcProvider } from './oidc-provider.js';
export { loginAtProvider, logoutAtProvider, type ProviderPeer, startProviderPeer } from './oidc-provider-peer.js';
// Reading a Prometheus scrape.
export { type MetricSample, parseExposition, sampleValue } from './prometheus-text.js';
export { propertyRuns } from './property-runs.js';
export { type IdTokenScript, startScriptedProvider } from './scripted-provider.js';
export { type ProxyMode, TcpProxy } from './tcp-proxy.js';
export {
  type FetchInit,
  type Initiator,
  type NavigateOptions,
  parseForm,
  type SignInUser,
  type Step,
  type StopAt,
  TestBrowser,
  type TestBrowserOptions,
} from './test-browser.js';
export { startTestIssuer } from './test-issuer.js';
export { postgresUrl, redisUrl, requireService, runScopedName } from './test-services.js';
// An in-memory span exporter for tests of tracing.
export { startTestTracing, type TestTracing } from './test-tracing.js';
export { fetchOver, httpTransport, injectTransport, type Transport, transportByOrigin } from './transport.js';
