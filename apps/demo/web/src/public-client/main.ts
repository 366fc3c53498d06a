import '../styles.css';
import {
  AccessTokenNotAvailableError,
  createPublicClient,
  type IdTokenClaims,
  type PublicClient,
  SignInError,
} from '@gatehouse/browser';
import { type DemoConfig, loadDemoConfig } from '../demo-config.js';
import { describeLoginFailure, displayableErrorCode } from '../login-failure.js';
import { actionButton, el } from '../shell/element.js';
import { card, createAlertSlot, loadingIndicator, pageHeading } from '../shell/feedback.js';
import { createHeader } from '../shell/header.js';
import { summarizeUser } from '../user-summary.js';
import { describeForeignAnswer, statusLine } from './answer-text.js';

const pagePath = '/public-client.html';

/** Shows the user's ID-token claims (`public-user`), or that nobody is signed in. */
function renderUser(target: HTMLElement, claims: IdTokenClaims | null): void {
  if (!claims) {
    target.replaceChildren(el('p', { className: 'muted' }, ['Not signed in on this page.']));
    return;
  }
  const { name, email } = summarizeUser({ claims, session: { expiresAt: 0 } });
  target.replaceChildren(
    el('p', { className: 'user-line' }, ['Signed in as ', el('strong', {}, [name])]),
    el('dl', { className: 'details' }, [
      email ? el('dt', {}, ['Email']) : null,
      email ? el('dd', {}, [email]) : null,
      el('dt', {}, ['Subject']),
      el('dd', {}, [el('code', {}, [String(claims.sub)])]),
    ]),
  );
}

function resultBox(testId: string): HTMLPreElement {
  const box = el('pre', { className: 'result', testId, attrs: { 'aria-live': 'polite' } });
  box.hidden = true;
  return box;
}

function showResult(box: HTMLElement, text: string, outcome: 'ok' | 'refused' | 'pending' | 'failed'): void {
  box.textContent = text;
  box.dataset.outcome = outcome;
  box.hidden = false;
}

async function start(mount: HTMLElement): Promise<void> {
  const header = createHeader('public');
  const alert = createAlertSlot();
  const content = el('div', { className: 'page page-public' }, [loadingIndicator()]);
  mount.replaceChildren(
    header.element,
    el('main', { className: 'main', attrs: { id: 'main' } }, [
      pageHeading(
        'Public client',
        'No backend here: this page signs in directly at the authorization server (code + PKCE) and keeps its ' +
          'tokens in its own memory. Reloading the page forgets them.',
      ),
      alert.element,
      content,
    ]),
  );
  header.account.replaceChildren(el('span', { className: 'pill' }, ['No backend']));

  const config: DemoConfig = await loadDemoConfig((url, init) => fetch(url, init));
  const client: PublicClient = createPublicClient({
    authority: config.issuer,
    clientId: config.publicClientId,
    redirectUri: `${location.origin}${pagePath}`,
    postLogoutRedirectUri: `${location.origin}${pagePath}`,
    silentRedirectUri: `${location.origin}/silent-callback.html`,
    scopes: ['openid', 'profile', 'api'],
  });

  const query = new URLSearchParams(location.search);
  if (query.has('code') || query.has('error')) {
    try {
      const { returnUrl } = await client.completeSignIn();
      // Back to where the sign-in started, if that is this page (the SDK has already removed the code).
      const back = new URL(returnUrl, location.origin);
      if (back.origin === location.origin && back.pathname === location.pathname) history.replaceState(null, '', back);
    } catch (error) {
      const code = error instanceof SignInError ? error.code : 'login_failed';
      alert.show(describeLoginFailure(code), {
        code: displayableErrorCode(code) ?? 'login_failed',
        detail: `Error code: ${displayableErrorCode(code) ?? 'login_failed'}`,
      });
    }
  }

  const signIn = () =>
    client.signIn({ returnUrl: pagePath }).catch(() => {
      alert.show('The identity provider could not be reached. Please try again in a moment.', {
        code: 'provider_unavailable',
      });
    });

  const silentResult = el('p', { className: 'form-status', testId: 'public-silent-result', attrs: { role: 'status' } });
  // Tokens live in this page's memory, so a reload loses them: a hidden frame with prompt=none gets
  // new ones while the provider session lasts (same-site here; see docs/browser.md for cross-site).
  const silentSignIn = async () => {
    const result = await client
      .trySilentSignIn()
      .catch(() => ({ status: 'failed' as const, error: 'provider_unavailable' }));
    silentResult.textContent =
      result.status === 'signed-in' ? 'Signed in silently.' : `Silent sign-in did not work: ${result.status}.`;
    renderAccount();
  };

  const userBox = el('div', { className: 'public-user', testId: 'public-user' });
  const accountActions = el('div', { className: 'actions' });
  const renderAccount = () => {
    const claims = client.user();
    renderUser(userBox, claims);
    accountActions.replaceChildren(
      claims
        ? actionButton(
            'Sign out',
            { className: 'button button-ghost', testId: 'public-sign-out', busyLabel: 'Signing out…' },
            () =>
              client.signOut().catch(() => {
                alert.show('Signing out at the identity provider failed; the tokens are forgotten on this page.', {
                  code: 'logout_failed',
                });
                renderAccount();
              }),
          )
        : actionButton(
            'Sign in',
            { className: 'button button-primary', testId: 'public-sign-in', busyLabel: 'Redirecting…' },
            signIn,
          ),
      ...(claims
        ? []
        : [
            actionButton(
              'Sign in silently',
              { className: 'button button-ghost', testId: 'public-silent-sign-in', busyLabel: 'Trying…' },
              silentSignIn,
            ),
          ]),
      silentResult,
    );
  };
  renderAccount();

  const api = client.createAuthorizedFetch([config.apiUrl]);
  const apiResult = resultBox('public-result');
  const foreignResult = resultBox('public-foreign-result');
  const foreignOrigin = new URL(config.foreignUrl).origin;

  async function callApi(): Promise<void> {
    alert.clear();
    showResult(apiResult, 'Calling…', 'pending');
    try {
      const response = await api(`${config.apiUrl}/weatherforecast`, { headers: { accept: 'application/json' } });
      if (response.ok) showResult(apiResult, JSON.stringify(await response.json(), null, 2), 'ok');
      else showResult(apiResult, statusLine(response.status, response.statusText), 'refused');
    } catch (error) {
      if (error instanceof AccessTokenNotAvailableError) {
        showResult(apiResult, 'No access token: sign in first.', 'refused');
        return;
      }
      showResult(apiResult, 'No answer: the API is down or refused this origin (CORS).', 'failed');
    }
    renderAccount(); // a refused renewal forgets the tokens
  }

  async function callForeign(): Promise<void> {
    alert.clear();
    showResult(foreignResult, 'Calling…', 'pending');
    try {
      // The same authorized fetch: it must leave this origin's request without the token.
      const response = await api(`${config.foreignUrl}/weatherforecast`, { headers: { accept: 'application/json' } });
      showResult(
        foreignResult,
        describeForeignAnswer(response.status, response.statusText, foreignOrigin),
        response.status === 401 ? 'ok' : 'failed',
      );
    } catch {
      showResult(foreignResult, `No answer from ${foreignOrigin}: it is down or refused this origin (CORS).`, 'failed');
    }
  }

  content.replaceChildren(
    el('div', { className: 'grid' }, [
      card('Account', [userBox, accountActions]),
      card('Call the API', [
        el('p', { className: 'small muted' }, [
          'GET ',
          el('code', {}, [`${config.apiUrl}/weatherforecast`]),
          ' with the access token attached (the API is an authorized prefix).',
        ]),
        el('div', { className: 'actions' }, [
          actionButton(
            'Call the API',
            { className: 'button button-primary', testId: 'public-call-api', busyLabel: 'Calling…' },
            callApi,
          ),
        ]),
        apiResult,
      ]),
      card('Call another origin', [
        el('p', { className: 'small muted' }, [
          'GET ',
          el('code', {}, [`${config.foreignUrl}/weatherforecast`]),
          ' through the same authorized fetch. That origin is not an authorized prefix, so no token goes with the request and the API should answer 401.',
        ]),
        el('div', { className: 'actions' }, [
          actionButton(
            'Call another origin',
            { className: 'button button-ghost', testId: 'public-call-foreign', busyLabel: 'Calling…' },
            callForeign,
          ),
        ]),
        foreignResult,
      ]),
    ]),
  );
}

const mount = document.getElementById('app');
if (mount) void start(mount);
