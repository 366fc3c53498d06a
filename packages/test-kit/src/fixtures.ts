/** The user every test server knows, unless a test says otherwise. */
export const demoUser = { email: 'alice@example.com', password: 'correct horse battery staple', name: 'Alice' };

/** A confidential client (`client_secret_basic`) with every grant a test uses. */
export const confidentialClient = {
  client_id: 'web-app',
  client_secret: 'web-app-secret-0123456789abcdefghij',
  redirect_uris: ['http://127.0.0.1:9999/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1:9999/signed-out'],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  scope: 'openid profile email offline_access api',
  client_name: 'Web App',
};

/** A public client (PKCE, no secret) for a browser-based app at `http://127.0.0.1:9999`. */
export const publicClient = {
  client_id: 'spa',
  redirect_uris: ['http://127.0.0.1:9999/spa-callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'none',
  scope: 'openid profile api',
  allowed_cors_origins: ['http://127.0.0.1:9999'],
  skip_consent: true,
};

/** The API the test servers issue access tokens for. */
export const apiResource = 'http://127.0.0.1:5000';
