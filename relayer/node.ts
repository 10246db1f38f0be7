// A relayer node: per configured chain, a watcher of transfers leaving it and of deliveries reaching it
// (watch/, observe/); the deliver/confirm pipeline on BullMQ (deliver/, confirm/, signing batches with
// attest/); co-signing for its peers; and the HTTP face (/health, /metrics, POST /v1/attestations).
// Everything it keeps is in Redis under its own key prefix, so a node may run as several processes on one
// Redis, each with some of the roles (config `roles`): `watch` (a chain is scanned by the process holding
// its lease; others stand by), `deliver` (BullMQ spreads the jobs; route locks and the payer's shared
// ledger keep any work from being done twice), `http`. This file is the node's lifecycle: connect, build
// the parts the roles ask for, start them, report health, stop. How a transfer moves: relayer/README.md.
import { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import type { JsonRpcProvider } from "ethers";
import { NodeKeys } from "../common/redis-keys.ts";
import { WalletAttestationSigner } from "./attest/attestation-signer.ts";
import { ThresholdBatchSigner } from "./attest/batch-signer.ts";
import { CoSigner } from "./attest/cosigner.ts";
import { SetApprover } from "./attest/set-approver.ts";
import { ValidatorSets } from "./attest/validator-sets.ts";
import { registerOperatorRoutes } from "./http/operator-routes.ts";
import { readKey } from "../common/schema.ts";
import type { DestinationChain, ObservedTransfer, SourceChain } from "./chains/adapter.ts";
import { connectEvmChain, type EvmChainParts } from "./chains/evm/configured.ts";
import type { Payer } from "./chains/evm/payer/payer.ts";
import { BurnForwarder } from "./chains/tron/burn-forwarder.ts";
import { DepositWallet } from "./chains/tron/deposit-wallet.ts";
import { tronEndpointOf, tronSourceFor } from "./chains/tron/configured.ts";
import {
  evmChains,
  keyPrefixOf,
  tronChains,
  type EvmChainConfig,
  type NodeRole,
  type RelayerConfig,
  type TronChainConfig,
} from "./config.ts";
import { DeliveryPipeline } from "./queues/delivery-pipeline.ts";
import { RelayerError } from "./errors.ts";
import { registerAttestationRoutes } from "./http/attestation-routes.ts";
import { buildNodeHttpServer, type HealthReport } from "./http/server.ts";
import { walletFromSource } from "./keys.ts";
import { RelayerMetrics } from "./metrics.ts";
import { TRANSFER_STATUSES, TransferStore } from "./store/transfer-store.ts";
import type { BurnLoop } from "./watch/burn-loop.ts";
import { checkRedis } from "./redis-requirements.ts";
import type { ChainWatchLoop } from "./watch/chain-watch-loop.ts";
import { burnLoop, chainWatchLoop, type WatchContext } from "./watch/watch-wiring.ts";

export interface RelayerNodeOptions {
  config: RelayerConfig;
  /** Where key sources named `{ env: … }` are looked up (the entry point passes its environment). */
  env: NodeJS.ProcessEnv;
  log?: Logger;
}

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
  private loops: ChainWatchLoop[] = [];
  private burners: BurnLoop[] = [];
  private http: ReturnType<typeof buildNodeHttpServer> | null = null;
  private pipeline: DeliveryPipeline | null = null;
  private sets: ValidatorSets | null = null;
  private readonly payers = new Map<string, Payer>();
  private readonly roles: ReadonlySet<NodeRole>;
  /** Every source chain, by chain id (the pipeline checks a transfer peers keep refusing at its source). */
  private readonly sources = new Map<bigint, SourceChain>();
  /** Aborted by stop(): ends the loops' waits, and a burn's wait for its block early (the burn stays noted
   * in flight). */
  private readonly stopSignal = new AbortController();

  constructor(options: RelayerNodeOptions) {
    this.options = options;
    this.config = options.config;
    this.log = options.log ?? pino({ name: `relayer-${options.config.id}` });
    this.roles = new Set(options.config.roles);
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
    try {
      await checkRedis(this.redis, this.log);
    } catch (error) {
      this.redis.disconnect();
      throw error;
    }
    this.store = new TransferStore(this.redis, prefix);

    const env = this.options.env;
    const attestationSigner = WalletAttestationSigner.fromSource(config.attestationKey, env);
    const payerKey = walletFromSource(config.payerKey, env, "payer key").privateKey;
    if (walletFromSource(config.payerKey, env, "payer key").address === attestationSigner.address) {
      throw new RelayerError("KEYS_NOT_APART", "the payer key must not be the attestation key", false);
    }

    const operatorToken = config.operatorToken ? readKey(config.operatorToken, env, "operator token") : null;
    if (operatorToken !== null && operatorToken.length < 16) {
      throw new RelayerError(
        "KEY_INVALID",
        "the operator token is too short: use at least 16 characters (e.g. 32 random bytes in hex)",
        false,
      );
    }

    const destinations = new Map<bigint, DestinationChain>();
    const evmParts: [EvmChainConfig, EvmChainParts][] = [];
    for (const chain of evmChains(config)) {
      // The payer's ledger is shared through Redis: any process of this node may send from this key, or
      // replace what another sent.
      const parts = await connectEvmChain(chain, payerKey, { redis: this.redis, prefix }, this.log);
      this.providers.push(parts.provider);
      this.payers.set(chain.name, parts.payer);
      destinations.set(chain.chainId, parts.destination);
      evmParts.push([chain, parts]);
    }

    const nodeIds = [config.id, ...config.peers.map((p) => p.id)];
    const sets = new ValidatorSets({
      self: attestationSigner.address,
      nodeId: config.id,
      peers: config.peers,
      destinations,
      pollMs: config.validatorSets.pollMs,
      maxAgeMs: config.validatorSets.maxAgeMs,
      log: this.log.child({ stage: "validator-sets" }),
      onChange: (chain, set) => {
        this.metrics.validatorMember.set({ chain }, set.member ? 1 : 0);
        this.metrics.validatorEpoch.set({ chain }, Number(set.epoch));
      },
    });
    this.sets = sets;
    this.pipeline = new DeliveryPipeline({
      nodeId: config.id,
      nodeIds,
      connection: { url: config.redisUrl },
      prefix,
      redis: this.redis,
      store: this.store,
      destinations,
      signer: new ThresholdBatchSigner({
        signer: attestationSigner,
        nodeId: config.id,
        peers: config.peers,
        peerTimeoutMs: config.delivery.peerTimeoutMs,
        log: this.log.child({ stage: "collect" }),
        sets,
      }),
      validatorSets: sets,
      maxBatch: config.batch.maxTransfers,
      fallbackMs: config.delivery.fallbackMs,
      confirmPollMs: config.delivery.confirmPollMs,
      retryLaterMs: config.delivery.retryLaterMs,
      maxRefusals: config.delivery.maxRefusals,
      sources: this.sources,
      concurrency: config.delivery.concurrency,
      log: this.log.child({ stage: "pipeline" }),
      onCompleted: (record) => this.metrics.observeStages(record),
    });
    const pipeline = this.pipeline;

    const watch: WatchContext = {
      redis: this.redis,
      prefix,
      store: this.store,
      owner: `${config.id}/pid${process.pid}`,
      leaseMs: config.watchLeaseMs,
      metrics: this.metrics,
      log: this.log,
    };
    for (const [chain, { source, deliveries }] of evmParts) {
      this.loops.push(chainWatchLoop(watch, chain, this.addSource(source), (transfers) => pipeline.enqueue(transfers), deliveries));
    }
    for (const chain of tronChains(config)) this.addTronChain(chain, watch, pipeline);

    // Not waited for: a chain that cannot be read now must not hold up the start (each set is read again
    // when it is needed, and at every poll).
    if (this.roles.has("deliver") || this.roles.has("http")) void sets.start();
    if (this.roles.has("deliver")) {
      await pipeline.recover();
      pipeline.start(); // its own sweep sends deliveries left half-way by a dead process back to `deliver`
    }
    if (this.roles.has("watch")) {
      for (const loop of [...this.loops, ...this.burners]) loop.start(this.stopSignal.signal);
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
      nodeIds,
      log: this.log.child({ stage: "cosign" }),
      membership: async (dstChainId) => {
        const destination = destinations.get(dstChainId);
        if (!destination) return { member: false, epoch: 0n }; // refused before as UNKNOWN_DESTINATION
        const set = await sets.current(destination);
        return { member: set.member, epoch: set.epoch };
      },
      deliverers: (dstChainId, ids) => sets.membersOf(dstChainId, ids),
    });
    registerAttestationRoutes(this.http, cosigner);
    const approver = new SetApprover({ signer: attestationSigner, destinations, log: this.log.child({ stage: "operator" }) });
    registerOperatorRoutes(this.http, approver, operatorToken);
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
  private addTronChain(chain: TronChainConfig, watch: WatchContext, pipeline: DeliveryPipeline): void {
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
        store: watch.store,
        redis: watch.redis,
        prefix: watch.prefix,
        chain: chain.name,
        tokenId: chain.tokenId,
        startBlock: chain.startBlock,
        batchSize: chain.burn.batchSize,
        settleMs: chain.burn.settleMs,
        log: this.log.child({ chain: chain.name, stage: "burn" }),
      });
      this.burners.push(burnLoop(watch, chain.name, forwarder, chain.burn.intervalMs));
    }
    const onFinalized = async (transfers: ObservedTransfer[]) => {
      await forwarder?.note(transfers);
      await pipeline.enqueue(transfers);
    };
    this.loops.push(chainWatchLoop(watch, chain, source, onFinalized));
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
    for (const loop of this.roles.has("watch") ? this.loops : []) chains[loop.name] = loop.health(now);
    const validatorSets = this.sets?.health() ?? {};
    return { ok: redisOk && Object.values(chains).every((c) => c.ok), redis: redisOk, chains, validatorSets };
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
    const keys = new NodeKeys(this.store.prefix);
    const counts = await Promise.all(TRANSFER_STATUSES.map((s) => this.redis!.scard(keys.status(s))));
    TRANSFER_STATUSES.forEach((status, i) => this.metrics.transfersByStatus.set({ status }, counts[i]!));
    this.metrics.transfersStuck.set(await this.redis.hlen(keys.stuck));
    const dead = (await this.pipeline?.deadLetters()) ?? [];
    for (const queue of ["deliver", "confirm"]) this.metrics.deadLetters.set({ queue }, dead.filter((d) => d.queue === queue).length);
  }

  /** Stops watching (finishing the tick under way), then closes HTTP, Redis and the RPC connections. */
  async stop(): Promise<void> {
    if (this.stopSignal.signal.aborted) return;
    this.stopSignal.abort();
    this.sets?.stop();
    await Promise.all([...this.loops, ...this.burners].map((l) => l.stopped()));
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
