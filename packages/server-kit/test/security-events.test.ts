import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createSecurityEvents, type SecurityEventCatalog } from '../src/security-events.js';

// Security events are one structured log line each, with a stable `event` field (issue #17).

type Fields = {
  thing_refused: { client_id: string; reason: 'bad' | 'worse'; attempts?: number | undefined };
  thing_done: { sub: string };
};
const catalog: SecurityEventCatalog<Fields> = {
  thing_refused: { level: 'warn', message: 'thing refused' },
  thing_done: { level: 'info', message: 'thing done' },
};

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  // Fastify's own pino, as the servers log through it.
  return { log: Fastify({ logger: { level: 'info', stream } }).log, lines };
}

describe('createSecurityEvents', () => {
  it('writes one line at the catalogue level, with the event name, its fields and the fixed message', async () => {
    const { log, lines } = capture();
    const events = createSecurityEvents(catalog, log);
    events.emit('thing_refused', { client_id: 'web-app', reason: 'bad', attempts: 3 });
    events.emit('thing_done', { sub: 'usr_1' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        event: 'thing_refused',
        client_id: 'web-app',
        reason: 'bad',
        attempts: 3,
        msg: 'thing refused',
      }),
      expect.objectContaining({ level: 30, event: 'thing_done', sub: 'usr_1', msg: 'thing done' }),
    ]);
  });

  it('leaves undefined fields out, and no field can rename the event', async () => {
    const { log, lines } = capture();
    const events = createSecurityEvents(catalog, log);
    events.emit('thing_refused', { client_id: 'x', reason: 'worse', attempts: undefined });
    // A caller that slips a field named `event` past the types still logs the real event.
    events.emit('thing_done', { sub: 'usr_1', event: 'thing_refused' } as unknown as Fields['thing_done']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(Object.keys(lines[0] ?? {})).not.toContain('attempts');
    expect(lines[1]).toMatchObject({ event: 'thing_done' });
  });

  it('tells the observer of each event, and a throwing observer does not fail the caller', () => {
    const { log } = capture();
    const seen: string[] = [];
    createSecurityEvents(catalog, log, (event) => seen.push(event)).emit('thing_done', { sub: 'usr_1' });
    expect(seen).toEqual(['thing_done']);
    const throwing = createSecurityEvents(catalog, log, () => {
      throw new Error('counter broke');
    });
    expect(() => throwing.emit('thing_done', { sub: 'usr_1' })).not.toThrow();
  });
});
