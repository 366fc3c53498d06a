import { expectOk } from '../app/api-response.js';
import { type Page, reportFailure } from '../app/page.js';
import { actionButton, el } from '../shell/element.js';
import { card, loadingIndicator, pageHeading } from '../shell/feedback.js';

interface Scheduled {
  id: string;
  text: string;
  publishAt: number;
  status: string;
  failure: string | null;
}

function readList<T>(value: unknown, check: (row: Record<string, unknown>) => boolean): T[] {
  return Array.isArray(value)
    ? (value.filter((row) => row !== null && typeof row === 'object' && check(row as Record<string, unknown>)) as T[])
    : [];
}

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * `/schedule`: the "act while the user is away" demo. The user allows offline access (a consent that
 * names it), schedules a post, and may sign out: a worker publishes it at the set time through the API
 * with the offline grant. Revoking the grant here or on the provider's profile page stops it.
 */
export const schedulePage: Page = (context) => {
  const { root, bff, signal } = context;
  const offline = el('div', { className: 'card-body' });
  const queue = el('div', { className: 'card-body' });
  const text = el('input', {
    testId: 'schedule-text',
    attrs: { id: 'schedule-text', maxlength: '2000', required: '' },
  });
  const delay = el('input', {
    testId: 'schedule-delay',
    attrs: { id: 'schedule-delay', type: 'number', min: '1', max: '3600', value: '10' },
  });

  async function loadOffline(): Promise<void> {
    const response = await expectOk(await bff.fetch('/bff/offline', { signal }));
    const status = (await response.json()) as { granted?: boolean; grantedAt?: number };
    if (signal.aborted) return;
    offline.replaceChildren(
      status.granted
        ? el('div', { testId: 'offline-status', attrs: { 'data-granted': 'true' } }, [
            el('p', {}, ['Offline posting is on: scheduled posts are published even after you sign out.']),
            actionButton(
              'Revoke',
              { className: 'button button-ghost', testId: 'offline-revoke', busyLabel: 'Revoking…' },
              async () => {
                await expectOk(await bff.fetch('/bff/offline', { method: 'DELETE' }));
                await loadOffline();
              },
            ),
          ])
        : el('div', { testId: 'offline-status', attrs: { 'data-granted': 'false' } }, [
            el('p', {}, ['Allow the app to post for you while you are away. The sign-in page will ask you first.']),
            actionButton(
              'Allow offline posting',
              { className: 'button button-primary', testId: 'offline-allow', busyLabel: 'Redirecting…' },
              () => {
                location.assign('/bff/offline/grant?returnUrl=/schedule');
              },
            ),
          ]),
    );
  }

  async function loadQueue(): Promise<void> {
    const [scheduledResponse, postsResponse] = await Promise.all([
      bff.fetch('/api/scheduled-posts', { signal }).then(expectOk),
      bff.fetch('/api/posts', { signal }).then(expectOk),
    ]);
    const scheduled = readList<Scheduled>(await scheduledResponse.json(), (row) => typeof row.id === 'string');
    const posts = readList<{ text: string; createdAt: string }>(
      await postsResponse.json(),
      (row) => typeof row.text === 'string',
    );
    if (signal.aborted) return;
    queue.replaceChildren(
      el('h3', {}, ['Scheduled']),
      scheduled.length === 0
        ? el('p', { className: 'empty' }, ['Nothing scheduled.'])
        : el(
            'ul',
            { className: 'list' },
            scheduled.map((post) =>
              el('li', { testId: 'scheduled-item', attrs: { 'data-status': post.status } }, [
                `${time.format(new Date(post.publishAt))} — ${post.text} — ${post.status}${post.failure ? ` (${post.failure})` : ''}`,
              ]),
            ),
          ),
      el('h3', {}, ['Published']),
      posts.length === 0
        ? el('p', { className: 'empty' }, ['No posts yet.'])
        : el(
            'ul',
            { className: 'list' },
            posts.map((post) => el('li', { testId: 'published-item' }, [post.text])),
          ),
    );
  }

  async function load(): Promise<void> {
    context.alert.clear();
    offline.replaceChildren(loadingIndicator());
    queue.replaceChildren(loadingIndicator());
    try {
      await Promise.all([loadOffline(), loadQueue()]);
    } catch (error) {
      reportFailure(context, error);
    }
  }

  const form = el('form', { className: 'form' }, [
    el('label', { attrs: { for: 'schedule-text' } }, ['Post']),
    text,
    el('label', { attrs: { for: 'schedule-delay' } }, ['Publish in (seconds)']),
    delay,
    el('div', { className: 'actions' }, [
      el('button', { className: 'button button-primary', testId: 'schedule-add', attrs: { type: 'submit' } }, [
        'Schedule',
      ]),
    ]),
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await expectOk(
        await bff.fetch('/api/scheduled-posts', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: text.value, delaySeconds: Number(delay.value) }),
        }),
      );
      text.value = '';
      await loadQueue();
    } catch (error) {
      reportFailure(context, error);
    }
  });

  root.append(
    pageHeading('Schedule a post', 'A worker publishes it later through the API, for you, with an offline grant.'),
    card(null, [
      el('div', { className: 'card-toolbar' }, [el('h2', { className: 'card-title' }, ['Offline access'])]),
      offline,
    ]),
    card(null, [el('div', { className: 'card-body' }, [form])]),
    card(null, [
      el('div', { className: 'card-toolbar' }, [
        el('h2', { className: 'card-title' }, ['Posts']),
        actionButton(
          'Refresh',
          { className: 'button button-ghost button-small', testId: 'schedule-refresh', busyLabel: 'Refreshing…' },
          loadQueue,
        ),
      ]),
      queue,
    ]),
  );
  return load();
};
