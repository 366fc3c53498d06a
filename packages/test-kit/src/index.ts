// The test kit's public API: tests import these by name from `@gatehouse/test-kit`, never a file inside it.

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
  ManualClock,
  obtainCode,
  obtainTokens,
  payloadOf,
  pkcePair,
  postForm,
  redeemCode,
  refreshRequest,
  sessionCookie,
  signInAtLoginPage,
  spaRedirect,
  startServer,
  type TestServer,
  type TokenSet,
  tokenRequest,
  userinfo,
  usersWith,
  webAppAuthorization,
  webAppLogoutRedirect,
  webAppRedirect,
} from './authorization-server-flows.js';
export {
  type BffOnScriptedProvider,
  scriptedBffClient,
  startBffOnScriptedProvider,
} from './bff-on-scripted-provider.js';
export { freePort } from './free-port.js';
export {
  apiResource,
  confidentialClient,
  demoUser,
  parseForm,
  publicClient,
  type RunningAuthorizationServer,
  ScriptedBrowser,
  startAuthorizationServer,
} from './gatehouse-as.js';
export { navigationRequest } from './navigation-request.js';
export { loginAtProvider, logoutAtProvider, type ProviderPeer, startProviderPeer } from './oidc-provider-peer.js';
export { propertyRuns } from './property-runs.js';
export { type IdTokenScript, startScriptedProvider } from './scripted-provider.js';
export { SiteAwareBrowser } from './site-aware-browser.js';
export { type ProxyMode, TcpProxy } from './tcp-proxy.js';
export { startTestIssuer } from './test-issuer.js';
export { postgresUrl, redisUrl, requireService, runScopedName } from './test-services.js';
