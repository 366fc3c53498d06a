import { connect, createServer, type Server, type Socket } from 'node:net';

/** How the proxy treats traffic: pass it on, refuse connections, or accept and never answer. */
export type ProxyMode = 'forward' | 'refuse' | 'blackhole';

/**
 * A loopback TCP proxy in front of a real server, so a test can take the server "down" (refused or
 * silent) and bring it back without touching the machine's Redis or PostgreSQL.
 */
export class TcpProxy {
  #server: Server | undefined;
  #port = 0;
  #mode: ProxyMode = 'forward';
  readonly #sockets = new Set<Socket>();

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
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
