// Import rules, checked by `npm run lint` (docs/architecture.md explains each one).
// 1. No import cycles anywhere. 2. A package uses another only through its public index.
// 3. Inside the authorization server, folders are layers and imports only point down; compose/ sits
//    on top (it may import every layer) and only app.ts imports it.
// 4. The browser SDK imports nothing at runtime: no Node built-ins, no other package; the React bindings
//    import only React and the browser SDK.

const as = 'packages/authorization-server/src';

/** The authorization server's layers, lowest first; each may import only the layers before it (and itself). */
const asLayers = [
  ['protocol', 'wire names, plain data types and error classes'],
  ['primitives', 'randomness, sealing, hashing, cookies, parameter parsing'],
  ['telemetry', 'what the server reports: security events and its own metrics'],
  ['telemetry', 'what the server reports: security events and its own metrics'],
  ['checks', 'pure protocol checks'],
  ['views', 'HTML rendering'],
  ['config', 'configuration schemas and their rules'],
  ['stores', 'one store per kind of record'],
  ['services', 'sign-in, grants, token issuance, logout, upstreams: narrow dependencies, no app context'],
  ['http', 'replies and request reading shared by the endpoints'],
  ['endpoints', 'routes: the only layer that sees the app context'],
];

const layerRules = asLayers.map(([layer, what], index) => {
  const allowed = asLayers.slice(0, index + 1).map(([name]) => name);
  return {
    name: `as-layer-${layer}`,
    comment: `${layer}/ (${what}) may import only ${allowed.join(', ')}`,
    severity: 'error',
    from: { path: `^${as}/${layer}/` },
    to: {
      path: `^${as}/`,
      pathNot: [`^${as}/(${allowed.join('|')})/`, ...(layer === 'endpoints' ? [`^${as}/context\\.ts$`] : [])],
    },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle hides which module depends on which; break it by moving the shared part down.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-through-their-index',
      comment: 'A package reaches another only through its public index (its package name), never a file inside it.',
      severity: 'error',
      from: { path: '^(packages|apps/demo)/([^/]+)/' },
      to: {
        path: '^(packages|apps/demo)/([^/]+)/',
        pathNot: ['^$1/$2/', '^packages/[^/]+/src/index\\.ts$', '^apps/demo/[^/]+/src/index\\.ts$'],
      },
    },
    ...layerRules,
    {
      name: 'as-context-only-in-endpoints',
      comment:
        'The app context is for endpoints and composition; everything below takes the narrow interfaces it uses.',
      severity: 'error',
      from: { path: `^${as}/`, pathNot: `^${as}/(endpoints/|compose/|[^/]+\\.ts$)` },
      to: { path: `^${as}/context\\.ts$` },
    },
    {
      name: 'as-composition-on-top',
      comment: 'compose/ builds the app from every layer; only app.ts (and compose/ itself) may use it.',
      severity: 'error',
      from: { path: `^${as}/`, pathNot: `^${as}/(compose/|app\\.ts$)` },
      to: { path: `^${as}/compose/` },
    },
    {
      name: 'browser-sdk-imports-nothing',
      comment: 'The browser SDK ships to browsers: no Node built-ins, no runtime dependencies.',
      severity: 'error',
      from: { path: '^packages/browser/src/' },
      to: { pathNot: '^packages/browser/src/' },
    },
    {
      name: 'react-bindings-import-react-and-the-sdk-only',
      comment: 'The React bindings ship to browsers too: React (a peer) and the browser SDK, nothing else.',
      severity: 'error',
      from: { path: '^packages/react/src/' },
      to: {
        pathNot: [
          '^packages/react/src/',
          '^packages/browser/src/index\\.ts$',
          '^@gatehouse/browser$', // as depcruise names a workspace package it does not resolve
          '^node_modules/(@types/)?react/',
        ],
      },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { conditionNames: ['gatehouse-source', 'import', 'types', 'default'] },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
  },
};
