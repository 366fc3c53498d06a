import { randomUUID } from 'node:crypto';
import type { Store } from '@gatehouse/store';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ownerOf } from './todos.js';

const scheduleInput = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 2000 }),
    /** When to publish, in seconds from now (the demo keeps it short). */
    delaySeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  },
  { additionalProperties: false },
);

export interface ScheduledPost {
  [key: string]: string | number | null;
  id: string;
  owner: string;
  text: string;
  /** Milliseconds since the epoch. */
  publishAt: number;
  status: 'scheduled' | 'published' | 'failed';
  /** Why publishing failed (`offline_access_revoked`, …), when it did. */
  failure: string | null;
}

const namespace = 'scheduled-posts';
const dueIndex = 'scheduled-posts:pending';

/**
 * `/scheduled-posts`: a user schedules a post (its `owner` is the token's subject) that a worker
 * publishes later through `/posts` with the user's offline grant — the "act while the user is away"
 * demo. The worker reaches the queue through `app.scheduledPosts`, in process.
 */
export function registerScheduledPosts(app: FastifyInstance, store: Store, now: () => number): void {
  app.get('/scheduled-posts', async (request) => {
    const owner = ownerOf(request);
    const found = await store.findByIndex<ScheduledPost>(`scheduled-posts:${owner}`);
    return found.map((entry) => entry.value).sort((a, b) => a.publishAt - b.publishAt);
  });

  app.post('/scheduled-posts', { schema: { body: scheduleInput } }, async (request, reply) => {
    const owner = ownerOf(request);
    const body = request.body as { text: string; delaySeconds: number };
    const post: ScheduledPost = {
      id: randomUUID(),
      owner,
      text: body.text,
      publishAt: now() + body.delaySeconds * 1000,
      status: 'scheduled',
      failure: null,
    };
    await store.put(namespace, post.id, post, { indexes: [`scheduled-posts:${owner}`, dueIndex] });
    return reply.code(201).send(post);
  });

  app.decorate('scheduledPosts', {
    /** Scheduled posts whose time has come. */
    async due(): Promise<ScheduledPost[]> {
      const pending = await store.findByIndex<ScheduledPost>(dueIndex);
      return pending.map((entry) => entry.value).filter((post) => post.publishAt <= now());
    },
    /** Records how publishing went; the post leaves the queue either way. */
    async settle(post: ScheduledPost, outcome: { failure?: string }): Promise<void> {
      const settled: ScheduledPost = {
        ...post,
        status: outcome.failure ? 'failed' : 'published',
        failure: outcome.failure ?? null,
      };
      await store.put(namespace, post.id, settled, { indexes: [`scheduled-posts:${post.owner}`] });
    },
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The scheduled-post queue, for the in-process publishing worker. */
    scheduledPosts: {
      due(): Promise<ScheduledPost[]>;
      settle(post: ScheduledPost, outcome: { failure?: string }): Promise<void>;
    };
  }
}
