// A relayer node: per configured chain, a watcher of transfers leaving it and of deliveries reaching it;
// the deliver/confirm pipeline on BullMQ; co-signing for its peers; and the HTTP face (/health,
// /metrics, POST /v1/attestations). Everything it keeps is in Redis under its own key prefix, so a node
// may run as several processes on one Redis, each with some of the roles (config `roles`): `watch`
// (a chain is scanned by the process holding its lease; others stand by), `deliver` (BullMQ spreads the
// jobs; route locks and the payer's shared ledger keep any work from being done twice), `http`.
import { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import { Contract, type JsonRpcProvider } from "ethers";
import { gatewayDomain, type Transfer } from "../common/transfer.ts";
import { contractInterface } from "../common/contracts/artifacts.ts";
import { collectSignatures } from "./attestation/peer-client.ts";
import { CoSigner } from "./attestation/cosigner.ts";
import { requestFor } from "./attestation/request.ts";
import type { DestinationChain, SourceChain } from "./chains/adapter.ts";
import { EvmDeliveryLog } from "./chains/evm/delivery-log.ts";
import { EvmDestination } from "./chains/evm/destination.ts";
import { connectEvmProvider } from "./chains/evm/rpc.ts";
import { EvmSource } from "./chains/evm/source.ts";
import { BurnForwarder } from "./chains/tron/burn-forwarder.ts";
import { DepositWallet } from "./chains/tron/deposit-wallet.ts";
import { tronEndpointOf, tronSourceFor } from "./chains/tron/configured.ts";
import { evmChains, keyPrefixOf, tronChains, type NodeRole, type RelayerConfig, type TronChainConfig } from "./config.ts";
import { RelayerError } from "./errors.ts";
import { registerAttestationRoutes } from "./http/attestation-routes.ts";
import { buildNodeHttpServer, type HealthReport } from "./http/server.ts";
import { RelayerMetrics } from "./metrics.ts";
import { DeliveryPipeline, NotEnoughSignaturesError, type BatchSigner } from "./pipeline/delivery-pipeline.ts";
import { DeliveryWatcher, deliveryCursorChain } from "./pipeline/delivery-watcher.ts";
import { TransferWatcher } from "./pipeline/watcher.ts";
import { WatchLease } from "./pipeline/watch-lease.ts";
import { WalletAttestationSigner, type AttestationSigner } from "./signing/attestation-signer.ts";
import { walletFromSource } from "./signing/keys.ts";
import { Payer } from "./signing/payer.ts";
import { ChainCursor } from "./store/chain-cursor.ts";
import { TRANSFER_STATUSES, TransferStore, type TransferRecord } from "./store/transfer-store.ts";

export interface RelayerNodeOptions {
  config: RelayerConfig;
  /** Where key sources named `{ env: … }` are looked up (the entry point passes its environment). */
  env: NodeJS.ProcessEnv;
  log?: Logger;
}

interface ChainLoop {
  name: string;
  watcher: TransferWatcher;
  /** Deliveries reaching this chain (EVM chains; TRON is a source only). */
  deliveries?: DeliveryWatcher;
  pollIntervalMs: number;
  /** Held by the one `watch` process of the node that scans this chain now. */
  lease: WatchLease;
  head: bigint | null;
  finalizedUpTo: bigint | null;
  lastTickAt: number | null;
  lastError?: string;
  running: Promise<void> | null;
}

/** A chain whose last successful tick is older than this many poll intervals counts as unhealthy. */
const STALE_AFTER_POLLS = 10;
/** How long stopping waits for HTTP requests under way before it closes every connection. */
const HTTP_CLOSE_GRACE_MS = 1_000;

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
  private pipeline: DeliveryPipeline | null = null;
  private readonly payers = new Map<string, Payer>();
  private readonly burners: {
    name: string;
    forwarder: BurnForwarder;
    intervalMs: number;
    lease: WatchLease;
    running: Promise<void> | null;
  }[] = [];
  private readonly roles: ReadonlySet<NodeRole>;
  private stopping = false;
  /** Every source chain, by chain id (the pipeline checks a transfer peers keep refusing at its source). */
  private readonly sources = new Map<bigint, SourceChain>();
  private wake: (() => void) | null = null;
  /** Aborted by stop(): ends a burn's wait for its block early (the burn stays noted in flight). */
  private readonly stopSignal = new AbortController();

  constructor(options: RelayerNodeOptions) {
    this.options = options;
    this.config = options.config;
    this.log = options.log ?? pino({ name: `relayer-${options.config.id}` });
    this.roles = new Set(options.config.roles);
  }

  /** Who holds a lease: this node, this process. */
  private get owner(): string {
    return `${this.config.id}/pid${process.pid}`;
  }

  private lease(chain: string): WatchLease {
    return new WatchLease(this.redis!, keyPrefixOf(this.config), chain, this.owner, this.config.watchLeaseMs);
  }

  /** The node's store (after start). */
  get transfers(): TransferStore {
    if (!this.store) throw new Error("the node is not started");
    return this.store;
  }

  /**
   * Connects and starts what this process's roles say: one watcher per chain (`watch`), the pipeline's
   * workers (`deliver`), the HTTP server (`http`); resolves with the HTTP address (null without `http`).
   */
  async start(): Promise<string | null> {
    const { config } = this;
    const prefix = keyPrefixOf(config);
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    await this.redis.connect();
    this.store = new TransferStore(this.redis, prefix);

    const env = this.options.env;
    const attestationSigner = WalletAttestationSigner.fromSource(config.attestationKey, env);
    const payerKey = walletFromSource(config.payerKey, env, "payer key").privateKey;
    if (walletFromSource(config.payerKey, env, "payer key").address === attestationSigner.address) {
      throw new RelayerError("KEYS_NOT_APART", "the payer key must not be the attestation key", false);
    }

    const destinations = new Map<bigint, DestinationChain>();
    const providers = new Map<string, JsonRpcProvider>();
    for (const chain of evmChains(config)) {
      const provider = await connectEvmProvider(chain);
      this.providers.push(provider);
      providers.set(chain.name, provider);
      // Shared through Redis: any process of this node may send from this key, or replace what another sent.
      const shared = { redis: this.redis, prefix };
      const payer = new Payer({
        chain: chain.name,
        chainId: chain.chainId,
        provider,
        key: payerKey,
        maxFeePerGas: chain.maxFeePerGas,
        log: this.log,
        shared,
      });
      this.payers.set(chain.name, payer);
      destinations.set(chain.chainId, new EvmDestination(chain, provider, payer));
    }

    this.pipeline = new DeliveryPipeline({
      nodeId: config.id,
      nodeIds: [config.id, ...config.peers.map((p) => p.id)],
      connection: { url: config.redisUrl },
      prefix,
      redis: this.redis,
      store: this.store,
      destinations,
      signer: this.batchSigner(attestationSigner, providers),
      maxBatch: config.batch.maxTransfers,
      fallbackMs: config.delivery.fallbackMs,
      confirmPollMs: config.delivery.confirmPollMs,
      retryLaterMs: config.delivery.retryLaterMs,
      maxRefusals: config.delivery.maxRefusals,
      sources: this.sources,
      concurrency: config.delivery.concurrency,
      log: this.log.child({ stage: "pipeline" }),
      onCompleted: (record) => this.observeStages(record),
    });
    const pipeline = this.pipeline;

    for (const chain of evmChains(config)) {
      const provider = providers.get(chain.name)!;
      const watcher = new TransferWatcher({
        source: this.addSource(new EvmSource(chain, provider)),
        store: this.store,
        cursor: new ChainCursor(this.redis, prefix, chain.name),
        startBlock: chain.startBlock,
        maxBlocksPerTick: BigInt(chain.maxBlockRange) * 10n,
        onFinalized: (transfers) => pipeline.enqueue(transfers),
        log: this.log.child({ chain: chain.name }),
      });
      const deliveries = new DeliveryWatcher({
        deliveries: new EvmDeliveryLog(chain, provider),
        store: this.store,
        cursor: new ChainCursor(this.redis, prefix, deliveryCursorChain(chain.name)),
        startBlock: chain.startBlock,
        maxBlocksPerTick: BigInt(chain.maxBlockRange) * 10n,
        log: this.log.child({ chain: chain.name, stage: "deliveries" }),
      });
      this.loops.push({
        name: chain.name,
        watcher,
        deliveries,
        pollIntervalMs: chain.pollIntervalMs,
        lease: this.lease(chain.name),
        head: null,
        finalizedUpTo: null,
        lastTickAt: null,
        running: null,
      });
    }

    for (const chain of tronChains(config)) this.addTronChain(chain, pipeline);

    if (this.roles.has("deliver")) {
      await pipeline.recover();
      pipeline.start(); // its own sweep sends deliveries left half-way by a dead process back to `deliver`
    }
    if (this.roles.has("watch")) {
      for (const loop of this.loops) loop.running = this.runLoop(loop);
      for (const burner of this.burners) burner.running = this.runBurner(burner);
    }
    if (!this.roles.has("http")) {
      this.log.info({ roles: [...this.roles], chains: config.chains.map((c) => c.name) }, "relayer node started");
      return null;
    }

    this.http = buildNodeHttpServer({
      metrics: this.metrics,
      health: () => this.health(),
      beforeScrape: () => this.refreshStatusGauges(),
      stuck: () => this.store!.stuck(),
    });
    const cosigner = new CoSigner({
      store: this.store,
      signer: attestationSigner,
      destinations: new Map(evmChains(config).map((c) => [c.chainId, c.gateway])),
      nodeId: config.id,
      nodeIds: [config.id, ...config.peers.map((p) => p.id)],
      log: this.log.child({ stage: "cosign" }),
    });
    registerAttestationRoutes(this.http, cosigner);
    const address = await this.http.listen({ host: config.http.host, port: config.http.port });
    this.log.info({ address, roles: [...this.roles], chains: config.chains.map((c) => c.name) }, "relayer node started");
    return address;
  }

  private addSource<S extends SourceChain>(source: S): S {
    this.sources.set(source.chainId, source);
    return source;
  }

  /**
   * TRON as a source of swaps: a watcher of deposits (delivered on `swapTo` by the same pipeline), and,
   * on the node holding the deposit key, the black-hole forwarding of what was swapped.
   */
  private addTronChain(chain: TronChainConfig, pipeline: DeliveryPipeline): void {
    const redis = this.redis!;
    const store = this.store!;
    const prefix = keyPrefixOf(this.config);
    const swapTo = evmChains(this.config).find((c) => c.name === chain.swapTo)!;
    const source = this.addSource(tronSourceFor(chain, swapTo.chainId));
    let forwarder: BurnForwarder | undefined;
    if (chain.depositKey) {
      const wallet = new DepositWallet(
        { name: chain.name, depositAddress: chain.depositAddress, ...tronEndpointOf(chain) },
        chain.depositKey,
        this.options.env,
      );
      forwarder = new BurnForwarder({
        source,
        wallet,
        store,
        redis,
        prefix,
        chain: chain.name,
        tokenId: chain.tokenId,
        startBlock: chain.startBlock,
        batchSize: chain.burn.batchSize,
        settleMs: chain.burn.settleMs,
        log: this.log.child({ chain: chain.name, stage: "burn" }),
      });
      this.burners.push({
        name: chain.name,
        forwarder,
        intervalMs: chain.burn.intervalMs,
        lease: this.lease(`${chain.name}:burn`),
        running: null,
      });
    }
    const watcher = new TransferWatcher({
      source,
      store,
      cursor: new ChainCursor(redis, prefix, chain.name),
      startBlock: chain.startBlock,
      maxBlocksPerTick: BigInt(chain.maxBlockRange) * 10n,
      onFinalized: async (transfers) => {
        await forwarder?.note(transfers);
        await pipeline.enqueue(transfers);
      },
      log: this.log.child({ chain: chain.name }),
    });
    this.loops.push({
      name: chain.name,
      watcher,
      pollIntervalMs: chain.pollIntervalMs,
      lease: this.lease(chain.name),
      head: null,
      finalizedUpTo: null,
      lastTickAt: null,
      running: null,
    });
  }

  private async runBurner(burner: (typeof this.burners)[number]): Promise<void> {
    while (!this.stopping) {
      try {
        // One forwarder per node at a time, like the watchers: the one holding the lease.
        if (await burner.lease.hold()) await burner.forwarder.tick(this.stopSignal.signal);
      } catch (error) {
        if (this.stopping) break; // the stop ended the tick's wait: nothing failed
        this.log.warn(
          { chain: burner.name, err: error instanceof Error ? error.message : String(error) },
          "black-hole forwarding failed; trying again",
        );
      }
      await this.sleep(burner.lease.held ? burner.intervalMs : this.standbyPollMs());
    }
    await burner.lease.release().catch(() => undefined);
  }

  /** How often a standby tries to take a lease: well within its lifetime. */
  private standbyPollMs(): number {
    return Math.max(100, Math.floor(this.config.watchLeaseMs / 3));
  }

  /** Signs a batch with this node's key, has peers co-sign it, and keeps exactly a threshold. */
  private batchSigner(signer: AttestationSigner, providers: ReadonlyMap<string, JsonRpcProvider>): BatchSigner {
    const gatewayAbi = contractInterface("BttcGateway");
    return {
      sign: async (destination: DestinationChain, transfers: readonly Transfer[]) => {
        const provider = providers.get(destination.name)!;
        // Read at each batch: the threshold changes with the validator set.
        const status = await new Contract(destination.gateway, gatewayAbi, provider).getFunction("status")();
        const needed = Number(status.threshold);
        const own = await signer.signBatch(gatewayDomain(destination.chainId, destination.gateway), transfers);
        const collected = await collectSignatures({
          peers: this.config.peers,
          request: requestFor(destination.gateway, transfers),
          timeoutMs: this.config.delivery.peerTimeoutMs,
          needed,
          own: { signer: signer.address, signature: own },
          from: this.config.id,
          log: this.log.child({ stage: "collect" }),
        });
        if (!collected.enough) {
          const failures = collected.failures.map((f) => `${f.peer}: ${f.kind}${f.reason ? ` ${f.reason}` : ""}`).join("; ");
          const refusals = collected.failures.flatMap((f) =>
            f.kind === "refused" && f.reason
              ? [{ peer: f.peer, reason: f.reason, ...(f.transferId ? { transferId: f.transferId } : {}) }]
              : [],
          );
          throw new NotEnoughSignaturesError(destination.name, collected.signatures.length, needed, failures || "no peers", refusals);
        }
        // Exactly the threshold: every extra signature costs gas to check. Still in signer order.
        return collected.compact.slice(0, needed);
      },
    };
  }

  private async runLoop(loop: ChainLoop): Promise<void> {
    let wasHolder = false;
    while (!this.stopping) {
      try {
        if (!(await loop.lease.hold())) {
          // Another `watch` process of this node scans this chain: stand by.
          if (wasHolder) this.log.warn({ chain: loop.name }, "watch lease lost; standing by");
          wasHolder = false;
          await this.sleep(this.standbyPollMs());
          continue;
        }
        if (!wasHolder) this.log.info({ chain: loop.name, lease: loop.lease.key }, "watching (lease taken)");
        wasHolder = true;
        await loop.deliveries?.tick();
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
    await loop.lease.release().catch(() => undefined);
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
    for (const loop of this.roles.has("watch") ? this.loops : []) {
      if (!loop.lease.held) {
        // A standby: another process of this node watches the chain (its own /health says how).
        chains[loop.name] = { ok: true, head: null, finalizedUpTo: null, lastTickAgeMs: null, standby: true };
        continue;
      }
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

  /** Per-stage latency of a completed transfer, from its timeline. */
  private observeStages(record: TransferRecord): void {
    const at = (status: string) => record.timeline.findLast((e) => e.status === status)?.at;
    const stages: [string, string, string][] = [
      ["attest", "finalized", "attested"],
      ["submit", "attested", "submitted"],
      ["confirm", "submitted", "completed"],
      ["total", "finalized", "completed"],
    ];
    for (const [stage, from, to] of stages) {
      const start = at(from);
      const end = at(to);
      if (start !== undefined && end !== undefined && end >= start) this.metrics.stageLatency.observe({ stage }, (end - start) / 1000);
    }
  }

  private async refreshStatusGauges(): Promise<void> {
    await Promise.all(
      [...this.payers].map(async ([chain, payer]) => {
        try {
          // Prometheus takes floats: fine for a balance gauge, never used for accounting.
          this.metrics.signerBalance.set({ chain }, Number(await payer.balance()));
        } catch {
          // an unreachable chain shows in /health; the gauge keeps its last value
        }
      }),
    );
    if (!this.redis || !this.store) return;
    const store = this.store;
    const counts = await Promise.all(TRANSFER_STATUSES.map((s) => this.redis!.scard(store.key("status", s))));
    TRANSFER_STATUSES.forEach((status, i) => this.metrics.transfersByStatus.set({ status }, counts[i]!));
    this.metrics.transfersStuck.set(await this.redis.hlen(store.key("stuck")));
  }

  /** Stops watching (finishing the tick under way), then closes HTTP, Redis and the RPC connections. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake?.();
    this.stopSignal.abort();
    await Promise.all([...this.loops, ...this.burners].map((l) => l.running ?? Promise.resolve()));
    // Closing waits for the requests under way; after a moment it closes every connection: one that
    // never sent a request (a peer's pooled connection, a TCP health probe) would otherwise hold the
    // server open until Node's headers timeout, a minute or more.
    const http = this.http;
    const grace = setTimeout(() => http?.server.closeAllConnections(), HTTP_CLOSE_GRACE_MS);
    await http?.close();
    clearTimeout(grace);
    await this.pipeline?.close();
    this.redis?.disconnect();
    for (const provider of this.providers) provider.destroy();
    this.log.info("relayer node stopped");
  }
}
