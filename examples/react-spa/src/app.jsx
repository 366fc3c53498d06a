import { navigateInApp, RequireAuth, useUser } from '@gatehouse/react';
import { useSyncExternalStore } from 'react';
import { Todos } from './todos.jsx';

// The smallest router that works: the path, re-read on every history change.
const onHistory = (listener) => {
  addEventListener('popstate', listener);
  return () => removeEventListener('popstate', listener);
};
const usePath = () => useSyncExternalStore(onHistory, () => location.pathname);

function Link({ to, children }) {
  const go = (event) => {
    event.preventDefault();
    navigateInApp(to);
  };
  return (
    <a href={to} onClick={go}>
      {children}
    </a>
  );
}

function Header() {
  const { user, status, signIn, signOut } = useUser();
  return (
    <header>
      <nav>
        <Link to="/">Home</Link> · <Link to="/todos">Todos</Link>
      </nav>
      <p id="status">
        {status === 'loading' && 'loading'}
        {status === 'error' && 'the BFF cannot be reached'}
        {status === 'signed-out' && 'signed out'}
        {status === 'signed-in' && `signed in as ${user.claims.name ?? user.claims.sub}`}
      </p>
      {status === 'signed-in' ? (
        <button id="sign-out" type="button" onClick={() => signOut()}>
          Sign out
        </button>
      ) : (
        <button id="sign-in" type="button" onClick={() => signIn({ returnUrl: '/todos' })}>
          Sign in
        </button>
      )}
    </header>
  );
}

export function App() {
  const path = usePath();
  return (
    <>
      <Header />
      <main>
        {path === '/todos' ? (
          // Signed out, this signs in and comes back here with the draft the user was typing.
          <RequireAuth fallback={<p>Signing you in…</p>}>
            <Todos />
          </RequireAuth>
        ) : (
          <p>A React app signed in through the Gatehouse BFF: the page never holds a token.</p>
        )}
      </main>
    </>
  );
}
