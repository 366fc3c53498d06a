import type { Duplex } from 'node:stream';

/**
 * Where a server is in its life: `serving`; `draining` from the stop signal (not ready, still
 * serving, every answer closes its connection); `closing` once the listener closes (requests that
 * still arrive on open connections are refused).
 */
export type LifecyclePhase = 'serving' | 'draining' | 'closing';

/** A readiness check: resolves when the dependency is there, rejects (or times out) when not. */
export type ReadinessCheck = () => Promise<unknown>;

export type CheckState = 'ok' | 'failing';

/** What `/readyz` reports. `reason` says why it is not ready. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly reason?: 'shutting_down' | 'checks_failing';
  /** Each check by name; empty while shutting down (nothing is checked then). */
  readonly checks: Readonly<Record<string, CheckState>>;
}

export interface ServerLifecycleOptions {
  /** A readiness result is reused this long, in milliseconds, so a flood of probes costs one check. Default 1 000. */
  cacheMs?: number;
  /** A check that has not answered after this many milliseconds is `failing`. Default 2 000. */
  checkTimeoutMs?: number;
  /** Milliseconds, monotonic enough for the cache. Default `performance.now`. */
  now?: () => number;
}

/** The defaults of {@link ServerLifecycleOptions}. */
export const lifecycleDefaults = Object.freeze({ cacheMs: 1_000, checkTimeoutMs: 2_000 });

const checkNamePattern = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * One server's phase and readiness checks (one per app: tests and `gatehouse dev` run several apps in
 * one process). Readiness runs every check at once, each bounded by `checkTimeoutMs`; concurrent
 * callers share one run, and its result is reused for `cacheMs`, so a stranger flooding `/readyz`
 * causes at most one store ping per second.
 */
export class ServerLifecycle {
  #phase: LifecyclePhase = 'serving';
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #cacheMs: number;
  readonly #checkTimeoutMs: number;
  readonly #now: () => number;
  #cached: { at: number; report: ReadinessReport } | undefined;
  #running: Promise<ReadinessReport> | undefined;
  readonly #closing = new AbortController();
  readonly #drainOver = new AbortController();
  readonly #upgraded = new Set<Duplex>();

  constructor(options: ServerLifecycleOptions = {}) {
    this.#cacheMs = options.cacheMs ?? lifecycleDefaults.cacheMs;
    this.#checkTimeoutMs = options.checkTimeoutMs ?? lifecycleDefaults.checkTimeoutMs;
    this.#now = options.now ?? (() => performance.now());
    if (!(this.#cacheMs >= 0) || !(this.#checkTimeoutMs > 0)) {
      throw new TypeError('cacheMs must be ≥ 0 and checkTimeoutMs > 0');
    }
  }

  get phase(): LifecyclePhase {
    return this.#phase;
  }

  /** From the stop signal on: not ready, and every answer closes its connection. */
  get isStopping(): boolean {
    return this.#phase !== 'serving';
  }

  /** The listener is closing: requests that still arrive are refused. */
  get isClosing(): boolean {
    return this.#phase === 'closing';
  }

  /**
   * Aborted when the listener closes ({@link beginClose}): work that should not start any more (a
   * retry, a pause before one) watches it.
   */
  get closingSignal(): AbortSignal {
    return this.#closing.signal;
  }

  /**
   * Aborted at the drain timeout ({@link endDrain}, which `closeGracefully` calls): work still running
   * for someone (a request, a back-channel delivery) stops then, so the stop ends within its budget.
   */
  get drainSignal(): AbortSignal {
    return this.#drainOver.signal;
  }

  /**
   * Remembers a socket that left the HTTP server's connection handling (a WebSocket upgrade), until
   * it closes: the drain timeout destroys it with the connections it cuts ({@link endDrain}).
   */
  trackUpgraded(socket: Duplex): void {
    if (socket.destroyed) return;
    if (this.#drainOver.signal.aborted) {
      socket.destroy();
      return;
    }
    this.#upgraded.add(socket);
    socket.once('close', () => this.#upgraded.delete(socket));
  }

  /** How many upgraded sockets are open ({@link trackUpgraded}). */
  get upgradedSockets(): number {
    return this.#upgraded.size;
  }

  /** Adds a check `/readyz` runs, under a name that appears in its body (`store`, `signing_keys`). */
  addReadinessCheck(name: string, check: ReadinessCheck): void {
    if (!checkNamePattern.test(name)) throw new TypeError(`readiness check name ${name}: lowercase letters, digits, _`);
    if (this.#checks.has(name)) throw new TypeError(`readiness check ${name} is already added`);
    this.#checks.set(name, check);
    this.#cached = undefined;
  }

  /** Not ready from now on (`/readyz` → 503 `shutting_down`); still serving. */
  beginDrain(): void {
    if (this.#phase === 'serving') this.#phase = 'draining';
  }

  /** The listener closes now; requests still arriving on open connections are refused. */
  beginClose(): void {
    this.#phase = 'closing';
    this.#closing.abort(new ShuttingDownError());
  }

  /**
   * The drain budget is spent: aborts {@link drainSignal} and destroys every upgraded socket still
   * open. Closing begins too, if it had not.
   */
  endDrain(): void {
    this.beginClose();
    if (!this.#drainOver.signal.aborted) this.#drainOver.abort(new ShuttingDownError());
    for (const socket of this.#upgraded) socket.destroy();
    this.#upgraded.clear();
  }

  /** Whether the server is ready, and what each check found; see the class comment for its cost. */
  async readiness(): Promise<ReadinessReport> {
    if (this.isStopping) return { ready: false, reason: 'shutting_down', checks: {} };
    const cached = this.#cached;
    if (cached && this.#now() - cached.at < this.#cacheMs) return cached.report;
    if (!this.#running) {
      this.#running = this.#runChecks().finally(() => {
        this.#running = undefined;
      });
    }
    const report = await this.#running;
    // A stop signal that came while the checks ran wins over what they found.
    return this.isStopping ? { ready: false, reason: 'shutting_down', checks: {} } : report;
  }

  async #runChecks(): Promise<ReadinessReport> {
    const names = [...this.#checks.keys()];
    const states = await Promise.all([...this.#checks.values()].map((check) => this.#runOne(check)));
    const checks = Object.fromEntries(names.map((name, i) => [name, states[i] as CheckState]));
    const ready = states.every((state) => state === 'ok');
    const report: ReadinessReport = ready ? { ready, checks } : { ready, reason: 'checks_failing', checks };
    this.#cached = { at: this.#now(), report };
    return report;
  }

  async #runOne(check: ReadinessCheck): Promise<CheckState> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<CheckState>((resolve) => {
      timer = setTimeout(() => resolve('failing'), this.#checkTimeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([
        Promise.resolve()
          .then(check)
          .then(
            (): CheckState => 'ok',
            (): CheckState => 'failing',
          ),
        timedOut,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * A request that arrived on an open connection after the listener closed: answered 503 with
 * `Retry-After` and `Connection: close`, in the style of its route (see `classifyFailure`), so the
 * client retries on a new connection, which reaches another instance.
 */
export class ShuttingDownError extends Error {
  override readonly name = 'ShuttingDownError';
  constructor() {
    super('the server is shutting down');
  }
}
