import { randomUUID } from 'node:crypto';
import type { Store } from '@gatehouse/store';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ownerOf } from './todos.js';

const profileInput = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    bio: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
const postInput = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

/** `/profile` (the user's display data) and `/posts` (create and list; used later for offline posting). */
export function registerProfileAndPosts(app: FastifyInstance, store: Store, now: () => number): void {
  app.get('/profile', async (request) => {
    const owner = ownerOf(request);
    return (await store.get('profiles', owner)) ?? { displayName: request.principal?.claims.name ?? null, bio: '' };
  });

  app.put('/profile', { schema: { body: profileInput } }, async (request) => {
    const owner = ownerOf(request);
    const profile = request.body as { displayName: string; bio?: string };
    await store.put('profiles', owner, { displayName: profile.displayName, bio: profile.bio ?? '' });
    return profile;
  });

  app.get('/posts', async (request) => {
    const owner = ownerOf(request);
    const posts = await store.findByIndex<{ createdAt: string }>(`posts:${owner}`);
    return posts.map((entry) => entry.value).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  });

  app.post('/posts', { schema: { body: postInput } }, async (request, reply) => {
    const owner = ownerOf(request);
    const post = {
      id: randomUUID(),
      text: (request.body as { text: string }).text,
      createdAt: new Date(now()).toISOString(),
    };
    await store.put('posts', `${owner}|${post.id}`, post, { indexes: [`posts:${owner}`] });
    return reply.code(201).send(post);
  });
}
