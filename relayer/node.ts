// A relayer node: one watcher loop per configured chain over the node's Redis store, and the HTTP face
// (/health, /metrics). Stages after `finalized` (attest, deliver, confirm) plug in through `onFinalized`.
import { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import type { JsonRpcProvider } from "ethers";
import type { ObservedTransfer } from "./chains/adapter.ts";
import { connectEvmProvider } from "./chains/evm/rpc.ts";
import { EvmSource } from "./chains/evm/source.ts";
import { keyPrefixOf, type RelayerConfig } from "./config.ts";
import { RelayerError } from "./errors.ts";
import { buildNodeHttpServer, type HealthReport } from "./http/server.ts";
import { RelayerMetrics } from "./metrics.ts";
import { TransferWatcher } from "./pipeline/watcher.ts";
import { ChainCursor } from "./store/chain-cursor.ts";
import { TRANSFER_STATUSES, TransferStore } from "./store/transfer-store.ts";

export interface RelayerNodeOptions {
  config: RelayerConfig;
  log?: Logger;
  /** Called with transfers that became final at their source. */
  onFinalized?(chain: string, transfers: ObservedTransfer[]): Promise<void>;
}

interface ChainLoop {
  name: string;
  watcher: TransferWatcher;
  pollIntervalMs: number;
  head: bigint | null;
  finalizedUpTo: bigint | null;
  lastTickAt: number | null;
  lastError?: string;
  running: Promise<void> | null;
}

/** A chain whose last successful tick is older than this many poll intervals counts as unhealthy. */
const STALE_AFTER_POLLS = 10;

export class RelayerNode {
  readonly config: RelayerConfig;
  readonly metrics = new RelayerMetrics();
  readonly log: Logger;
  private readonly options: RelayerNodeOptions;
  private redis: Redis | null = null;
  private store: TransferStore | null = null;
  private providers: JsonRpcProvider[] = [];
  private loops: ChainLoop[] = [];
  private http: ReturnType<typeof buildNodeHttpServer> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(options: RelayerNodeOptions) {
    this.options = options;
    this.config = options.config;
    this.log = options.log ?? pino({ name: `relayer-${options.config.id}` });
  }

  /** The node's store (after start). */
  get transfers(): TransferStore {
    if (!this.store) throw new Error("the node is not started");
    return this.store;
  }

  /** Connects, starts one watcher per chain and the HTTP server; resolves with the HTTP address. */
  async start(): Promise<string> {
    const { config } = this;
    const prefix = keyPrefixOf(config);
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    await this.redis.connect();
    this.store = new TransferStore(this.redis, prefix);

    for (const chain of config.chains) {
      const provider = await connectEvmProvider(chain);
      this.providers.push(provider);
      const source = new EvmSource(chain, provider);
      const watcher = new TransferWatcher({
        source,
        store: this.store,
        cursor: new ChainCursor(this.redis, prefix, chain.name),
        startBlock: chain.startBlock,
        maxBlocksPerTick: BigInt(chain.maxBlockRange) * 10n,
        onFinalized: (transfers) => this.options.onFinalized?.(chain.name, transfers) ?? Promise.resolve(),
        log: this.log.child({ chain: chain.name }),
      });
      this.loops.push({ name: chain.name, watcher, pollIntervalMs: chain.pollIntervalMs, head: null, finalizedUpTo: null, lastTickAt: null, running: null });
    }
    for (const loop of this.loops) loop.running = this.runLoop(loop);

    this.http = buildNodeHttpServer({
      metrics: this.metrics,
      health: () => this.health(),
      beforeScrape: () => this.refreshStatusGauges(),
    });
    const address = await this.http.listen({ host: config.http.host, port: config.http.port });
    this.log.info({ address, chains: config.chains.map((c) => c.name) }, "relayer node started");
    return address;
  }

  private async runLoop(loop: ChainLoop): Promise<void> {
    while (!this.stopping) {
      try {
        const result = await loop.watcher.tick();
        loop.head = result.head;
        loop.finalizedUpTo = result.finalizedUpTo;
        loop.lastTickAt = Date.now();
        delete loop.lastError;
        this.metrics.chainHead.set({ chain: loop.name }, Number(result.head));
        this.metrics.chainFinalizedScanned.set({ chain: loop.name }, Number(result.finalizedUpTo));
        this.metrics.chainLagBlocks.set({ chain: loop.name }, Number(result.head - result.finalizedUpTo));
      } catch (error) {
        const retryable = error instanceof RelayerError ? error.retryable : true;
        loop.lastError = error instanceof Error ? error.message : String(error);
        this.metrics.rpcErrors.inc({ chain: loop.name, retryable: String(retryable) });
        this.log.warn({ chain: loop.name, err: loop.lastError, retryable }, "watch tick failed");
      }
      await this.sleep(loop.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const previous = this.wake;
      this.wake = () => {
        clearTimeout(timer);
        previous?.();
        resolve();
      };
    });
  }

  async health(): Promise<HealthReport> {
    let redisOk = false;
    try {
      redisOk = (await this.redis?.ping()) === "PONG";
    } catch {
      redisOk = false;
    }
    const chains: HealthReport["chains"] = {};
    const now = Date.now();
    for (const loop of this.loops) {
      const age = loop.lastTickAt === null ? null : now - loop.lastTickAt;
      const ok = age !== null && age < loop.pollIntervalMs * STALE_AFTER_POLLS + 5_000;
      chains[loop.name] = {
        ok,
        head: loop.head?.toString() ?? null,
        finalizedUpTo: loop.finalizedUpTo?.toString() ?? null,
        lastTickAgeMs: age,
        ...(loop.lastError ? { error: loop.lastError } : {}),
      };
    }
    return { ok: redisOk && Object.values(chains).every((c) => c.ok), redis: redisOk, chains };
  }

  private async refreshStatusGauges(): Promise<void> {
    if (!this.redis || !this.store) return;
    const store = this.store;
    const counts = await Promise.all(TRANSFER_STATUSES.map((s) => this.redis!.scard(store.key("status", s))));
    TRANSFER_STATUSES.forEach((status, i) => this.metrics.transfersByStatus.set({ status }, counts[i]!));
  }

  /** Stops watching (finishing the tick under way), then closes HTTP, Redis and the RPC connections. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake?.();
    await Promise.all(this.loops.map((l) => l.running ?? Promise.resolve()));
    await this.http?.close();
    this.redis?.disconnect();
    for (const provider of this.providers) provider.destroy();
    this.log.info("relayer node stopped");
  }
}
