import { connect, createServer, type Server, type Socket } from 'node:net';

/** How the proxy treats traffic: pass it on, refuse connections, or accept and never answer. */
export type ProxyMode = 'forward' | 'refuse' | 'blackhole';

/**
 * A loopback TCP proxy in front of a real server, so a test can take the server "down" (refused or
 * silent) and bring it back without touching the machine's Redis or PostgreSQL. {@link freeze}
 * plays a server that stalls: connections stay open, bytes wait in order, and {@link thaw} delivers
 * them — what a client sees of a Redis paused longer than its command timeout.
 */
export class TcpProxy {
  #server: Server | undefined;
  #port = 0;
  #mode: ProxyMode = 'forward';
  readonly #sockets = new Set<Socket>();
  /** While frozen, what each direction would have written, in order. */
  #held: { to: Socket; chunk: Buffer }[] | undefined;

  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    await this.#listen(0);
  }

  async setMode(mode: ProxyMode): Promise<void> {
    const previous = this.#mode;
    this.#mode = mode;
    if (mode === previous) return;
    // Connections made under the old mode carry its behaviour; drop them so clients reconnect.
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (mode === 'refuse') await this.#close();
    else if (previous === 'refuse') await this.#listen(this.#port);
  }

  /** Holds every byte in both directions until {@link thaw}; connections stay open. */
  freeze(): void {
    this.#held ??= [];
  }

  /** Delivers what was held, in the order it came, and forwards again. */
  thaw(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const { to, chunk } of held) if (!to.destroyed) to.write(chunk);
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await this.#close();
  }

  async #listen(port: number): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as { port: number }).port;
  }

  async #close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.#sockets.add(client);
    client.on('close', () => this.#sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.#mode === 'blackhole') {
      client.resume(); // read and drop everything; never answer
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    this.#sockets.add(upstream);
    upstream.on('close', () => {
      this.#sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    this.#relay(client, upstream);
    this.#relay(upstream, client);
  }

  #relay(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (this.#held) this.#held.push({ to, chunk });
      else if (!to.destroyed) to.write(chunk);
    });
  }
}
