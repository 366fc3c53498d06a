import { createBffClient } from '@gatehouse/browser';
import { AuthenticationRoutes, GatehouseProvider } from '@gatehouse/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.jsx';

// One client for the page, created outside React: it caches the user and follows its changes.
const bff = createBffClient();

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <GatehouseProvider client={bff}>
      {/* /authentication/login, /logout, /logged-out, /login-failed …: the SDK's routes, rendered here */}
      <AuthenticationRoutes
        render={({ route, message, paths }) => (
          <main>
            <p id="auth-message">{message ?? 'One moment…'}</p>
            {route !== 'login' && route !== 'logout' && <a href={paths.login}>Sign in again</a>}
          </main>
        )}
      >
        <App />
      </AuthenticationRoutes>
    </GatehouseProvider>
  </StrictMode>,
);
