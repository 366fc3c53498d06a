import { ApiError, expectOk } from '../app/api-response.js';
import { type Page, reportFailure } from '../app/page.js';
import { actionButton, el } from '../shell/element.js';
import { card, loadingIndicator, pageHeading } from '../shell/feedback.js';

interface SocialProfile {
  id: string;
  name: string;
}

interface SocialPost {
  id: string;
  message: string;
  created_time: string;
}

function readProfile(value: unknown): SocialProfile | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { id, name } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof name === 'string' ? { id, name } : undefined;
}

function readPosts(value: unknown): SocialPost[] {
  const data = value !== null && typeof value === 'object' ? (value as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) return [];
  return data.filter(
    (post): post is SocialPost =>
      post !== null &&
      typeof post === 'object' &&
      typeof post.id === 'string' &&
      typeof post.message === 'string' &&
      typeof post.created_time === 'string',
  );
}

/**
 * `/social`: the user's Example Social profile and posts, fetched from Example Social's API through
 * the BFF (`/social` → the upstream, `token: "upstream:social"`). The page never sees the upstream
 * token; the BFF gets it from the authorization server and adds `appsecret_proof`.
 */
export const socialPage: Page = (context) => {
  const { root, bff, signal, config } = context;
  const content = el('div', { className: 'card-body' });

  async function load(): Promise<void> {
    context.alert.clear();
    content.replaceChildren(loadingIndicator('Asking Example Social…'));
    try {
      const [profileResponse, postsResponse] = await Promise.all([
        bff.fetch('/social', { signal }),
        bff.fetch('/social/posts', { signal }),
      ]);
      const profile = readProfile(await (await expectOk(profileResponse)).json());
      const posts = readPosts(await (await expectOk(postsResponse)).json());
      if (signal.aborted) return;
      content.replaceChildren(
        el('p', { testId: 'social-name' }, [`Signed in at Example Social as ${profile?.name ?? 'someone'}.`]),
        posts.length === 0
          ? el('p', { className: 'empty' }, ['No posts.'])
          : el(
              'ul',
              { className: 'list' },
              posts.map((post) => el('li', { testId: 'social-post' }, [post.message])),
            ),
      );
    } catch (error) {
      if (error instanceof ApiError && error.code === 'upstream_consent_required') {
        // No linked Example Social account, or it needs reconnecting: that happens at the provider.
        content.replaceChildren(
          el('p', { testId: 'social-link' }, [
            'Your account is not connected to Example Social. Link it on ',
            el('a', { attrs: { href: `${config.issuer}/profile` } }, ['your account page']),
            ', or sign in with “Continue with Example Social”.',
          ]),
        );
        return;
      }
      content.replaceChildren();
      reportFailure(context, error);
    }
  }

  root.append(
    pageHeading(
      'Example Social',
      'Your profile and posts from another provider’s API, called by the BFF with your upstream token — which never reaches this page.',
    ),
    card(null, [
      el('div', { className: 'card-toolbar' }, [
        el('h2', { className: 'card-title' }, ['From Example Social']),
        actionButton('Refresh', { className: 'button button-ghost button-small', busyLabel: 'Refreshing…' }, load),
      ]),
      content,
    ]),
  );
  return load();
};
