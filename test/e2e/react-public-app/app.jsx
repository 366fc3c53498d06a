// A backend-less React app for the Chromium journey: @gatehouse/react over the public client, rendered
// in StrictMode with React's development build (effects run twice), bundled by the test with esbuild.
import { createPublicClient } from '@gatehouse/browser';
import {
  AuthenticationRoutes,
  GatehouseProvider,
  RequireAuth,
  useAuthorizedFetch,
  useReturnedState,
  useUser,
} from '@gatehouse/react';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

const config = await (await fetch('/config.json')).json();
const client = createPublicClient({
  authority: config.issuer,
  clientId: config.clientId,
  redirectUri: `${location.origin}/authentication/login-callback`,
  postLogoutRedirectUri: `${location.origin}/authentication/logged-out`,
  scopes: ['openid', 'profile', 'offline_access'],
});

function Orders() {
  const { user, signOut } = useUser();
  const api = useAuthorizedFetch();
  const returned = useReturnedState();
  const [answer, setAnswer] = useState('…');
  useEffect(() => {
    api(`${config.api}/orders`)
      .then((response) => response.json())
      .then(
        (body) => setAnswer(JSON.stringify(body)),
        (error) => setAnswer(String(error)),
      );
  }, [api]);
  return (
    <main>
      <p id="status">signed in as {user.sub}</p>
      <p id="restored">{returned?.note ?? 'nothing restored'}</p>
      <p id="api">{answer}</p>
      <button id="sign-out" type="button" onClick={() => signOut()}>
        Sign out
      </button>
    </main>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <GatehouseProvider client={client} authorizedUrls={[config.api]}>
      <AuthenticationRoutes render={({ message }) => <p id="auth-message">{message ?? 'One moment…'}</p>}>
        <RequireAuth fallback={<p id="status">signing in</p>} state={{ note: 'kept across the sign-in' }}>
          <Orders />
        </RequireAuth>
      </AuthenticationRoutes>
    </GatehouseProvider>
  </StrictMode>,
);
