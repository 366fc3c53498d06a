import { randomUUID } from 'node:crypto';
import type { Store } from '@gatehouse/store';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DemoApiError } from '../error-replies.js';

const todoInput = Type.Object(
  { title: Type.String({ minLength: 1, maxLength: 200 }), done: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const todoPatch = Type.Object(
  { title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), done: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
const idParam = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });

type Todo = { id: string; title: string; done: boolean; createdAt: string };

/** The owner of a request's data: issuer and subject together (a subject alone is not unique). */
export function ownerOf(request: FastifyRequest): string {
  const principal = request.principal;
  if (principal?.kind !== 'user') throw new DemoApiError(403, 'forbidden', 'a user token is required');
  return `${principal.issuer}|${principal.subject}`;
}

/**
 * `/todos` CRUD, each user seeing only their own. `POST` accepts the custom `x-custom-header` that
 * the demo SPA sends (as a browser fetch with custom headers would) and echoes it back.
 */
export function registerTodos(app: FastifyInstance, store: Store, now: () => number): void {
  const key = (owner: string, id: string) => `${owner}|${id}`;
  const index = (owner: string) => `todos:${owner}`;

  app.get('/todos', async (request) => {
    const owner = ownerOf(request);
    const found = await store.findByIndex<Todo>(index(owner));
    return found.map((entry) => entry.value).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  });

  app.post('/todos', { schema: { body: todoInput } }, async (request, reply) => {
    const owner = ownerOf(request);
    const body = request.body as { title: string; done?: boolean };
    const todo: Todo = {
      id: randomUUID(),
      title: body.title,
      done: body.done ?? false,
      createdAt: new Date(now()).toISOString(),
    };
    await store.put('todos', key(owner, todo.id), todo, { indexes: [index(owner)] });
    const custom = request.headers['x-custom-header'];
    if (typeof custom === 'string') reply.header('x-custom-header', custom);
    return reply.code(201).send(todo);
  });

  app.patch('/todos/:id', { schema: { params: idParam, body: todoPatch } }, async (request, reply) => {
    const owner = ownerOf(request);
    const { id } = request.params as { id: string };
    const entry = await store.getEntry<Todo>('todos', key(owner, id));
    if (!entry) return reply.code(404).send({ error: 'not_found', message: 'no such todo' });
    const updated = { ...entry.value, ...(request.body as Partial<Todo>) };
    await store.put('todos', key(owner, id), updated, { indexes: [index(owner)] });
    return updated;
  });

  app.delete('/todos/:id', { schema: { params: idParam } }, async (request, reply) => {
    const owner = ownerOf(request);
    const { id } = request.params as { id: string };
    const deleted = await store.delete('todos', key(owner, id));
    return deleted ? reply.code(204).send() : reply.code(404).send({ error: 'not_found', message: 'no such todo' });
  });
}
