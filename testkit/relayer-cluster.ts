// A bridge for relayer tests that run whole nodes: real `hardhat node` chains with the gateways deployed
// (deploy/network.ts), kept producing blocks; real Redis under one key prefix; and relayer nodes, either
// in this process (RelayerNode) or as child processes (`node relayer/main.ts --config <file>`, so that a
// SIGKILL is a real one). Every node's keys live under the cluster's prefix, so `stop()` removes them all.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { Contract, HDNodeWallet, NonceManager, getAddress, type JsonRpcProvider, type Wallet } from "ethers";
import { pino, type Logger } from "pino";
import { addressToBytes32, sequenceToRef, transferId } from "../common/transfer.ts";
import { contractInterface } from "../common/contracts/artifacts.ts";
import { deployNetwork } from "../deploy/network.ts";
import { createEvmProvider } from "../common/rpc/evm-provider.ts";
import { parseRelayerConfig } from "../relayer/config.ts";
import { RelayerNode } from "../relayer/node.ts";
import { rankFor } from "../relayer/deliver/designation.ts";
import { routeKey } from "../common/routes.ts";
import { TransferStore } from "../relayer/store/transfer-store.ts";
import { freePort, startHardhatNode, type HardhatNode } from "./hardhat-node.ts";
import { connectTestRedis, testRedisUrl, type TestRedis } from "./redis.ts";
import { validatorWallets } from "./world.ts";
import { sleep, until } from "./wait.ts";
import { DEVNET_MNEMONIC } from "./constants.ts";

export { sleep, until };

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Hardhat's development account `i` (funded on every `hardhat node`). */
export function devAccount(i: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(DEVNET_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
}

export interface ClusterChainPlan {
  name: string;
  chainId: bigint;
  role: "bttc" | "remote";
}

export interface ClusterChain extends ClusterChainPlan {
  node: HardhatNode;
  provider: JsonRpcProvider;
  gateway: Contract;
}

export interface ClusterOptions {
  /** Redis key label (the prefix is `bttb-test:<label>:<random>:`). */
  label: string;
  chains: readonly ClusterChainPlan[];
  validatorCount: number;
  threshold: number;
  /** How often every chain mines a block (unless paused). */
  mineEveryMs: number;
}

/** What a node config needs per node; `index` picks its validator and payer keys. */
export interface NodeSpec {
  id: string;
  index: number;
  port: number;
  prefix: string;
}

export interface NodeConfigOptions {
  /** RPC endpoint per chain name (default: the chain's own node). */
  rpcUrls?: Readonly<Record<string, string>>;
  /** First block to scan per chain name (default: 0). */
  startBlocks?: Readonly<Record<string, bigint>>;
  confirmations?: number;
  pollIntervalMs?: number;
  delivery?: { fallbackMs: number; confirmPollMs: number; retryLaterMs: number; peerTimeoutMs: number };
}

export class Cluster {
  readonly chains: ReadonlyMap<string, ClusterChain>;
  readonly validators: readonly Wallet[];
  readonly redis: TestRedis;
  private readonly paused = new Set<string>();
  private readonly miner: NodeJS.Timeout;

  constructor(chains: ReadonlyMap<string, ClusterChain>, validators: readonly Wallet[], redis: TestRedis, mineEveryMs: number) {
    this.chains = chains;
    this.validators = validators;
    this.redis = redis;
    this.miner = setInterval(() => {
      for (const chain of this.chains.values()) {
        if (!this.paused.has(chain.name)) void chain.provider.send("evm_mine", []).catch(() => undefined);
      }
    }, mineEveryMs);
  }

  chain(name: string): ClusterChain {
    const chain = this.chains.get(name);
    if (!chain) throw new Error(`no chain ${name} in this cluster`);
    return chain;
  }

  /** Stops the background miner for one chain (transactions still automine). */
  pauseMining(name: string): void {
    this.paused.add(name);
  }

  resumeMining(name: string): void {
    this.paused.delete(name);
  }

  /** Every chain's current block number, by name. */
  async blockNumbers(): Promise<Record<string, bigint>> {
    const out: Record<string, bigint> = {};
    for (const chain of this.chains.values()) out[chain.name] = BigInt(await chain.provider.getBlockNumber());
    return out;
  }

  /** Node specs with free ports, each under its own key prefix (`<cluster prefix><label>-<id>:`). */
  async nodeSpecs(label: string, ids: readonly string[]): Promise<NodeSpec[]> {
    const ports = await Promise.all(ids.map(() => freePort()));
    return ids.map((id, i) => ({ id, index: i, port: ports[i]!, prefix: `${this.redis.prefix}${label}-${id}:` }));
  }

  /** The JSON configuration of `node` among `all` (its peers are the others). */
  nodeConfig(node: NodeSpec, all: readonly NodeSpec[], options: NodeConfigOptions = {}): Record<string, unknown> {
    return {
      id: node.id,
      redisUrl: testRedisUrl(),
      keyPrefix: node.prefix,
      attestationKey: { env: `ATTEST_${node.index}` },
      payerKey: { env: `PAYER_${node.index}` },
      http: { host: "127.0.0.1", port: node.port },
      peers: all
        .filter((p) => p.id !== node.id)
        .map((p) => ({ id: p.id, url: `http://127.0.0.1:${p.port}`, signer: this.validators[p.index]!.address })),
      chains: [...this.chains.values()].map((chain) => ({
        name: chain.name,
        chainId: chain.chainId.toString(),
        rpcUrl: options.rpcUrls?.[chain.name] ?? chain.node.url,
        gateway: chain.gateway.target as string,
        finality: { confirmations: options.confirmations ?? 2 },
        startBlock: (options.startBlocks?.[chain.name] ?? 0n).toString(),
        pollIntervalMs: options.pollIntervalMs ?? 100,
      })),
      delivery: options.delivery ?? { fallbackMs: 1_500, confirmPollMs: 100, retryLaterMs: 1_000, peerTimeoutMs: 2_000 },
    };
  }

  /** The environment holding node `index`'s keys: a validator's attestation key, a dev account to pay. */
  nodeEnv(index: number): Record<string, string> {
    return { [`ATTEST_${index}`]: this.validators[index]!.privateKey, [`PAYER_${index}`]: devAccount(1 + index).privateKey };
  }

  /** Starts a node in this process. */
  async startNode(node: NodeSpec, config: Record<string, unknown>, log: Logger = pino({ level: "silent" })): Promise<RelayerNode> {
    const relayer = new RelayerNode({ config: parseRelayerConfig(config), env: this.nodeEnv(node.index), log });
    try {
      await relayer.start();
    } catch (error) {
      await relayer.stop();
      throw error;
    }
    return relayer;
  }

  /** A read view of a node's store (any node, running or not, in this process or not). */
  storeOf(node: NodeSpec): TransferStore {
    return new TransferStore(this.redis.redis, node.prefix);
  }

  /** Failed jobs of a node's deliver and confirm queues (its dead-letter view). */
  async deadLetters(node: NodeSpec): Promise<string[]> {
    const out: string[] = [];
    for (const name of ["deliver", "confirm"]) {
      const queue = new Queue(name, { connection: { url: testRedisUrl() }, prefix: node.prefix + "q" });
      try {
        for (const job of await queue.getFailed()) out.push(`${name} ${job.id}: ${job.failedReason}`);
      } finally {
        await queue.close();
      }
    }
    return out;
  }

  /** `nodes` in the delivery order of the route `src` → `dst`: the designated deliverer first. */
  designated(src: string, dst: string, nodes: readonly NodeSpec[]): NodeSpec[] {
    const route = routeKey({
      srcChainId: this.chain(src).chainId,
      srcGateway: addressToBytes32(this.chain(src).gateway.target as string),
      dstChainId: this.chain(dst).chainId,
    });
    const ids = nodes.map((n) => n.id);
    return [...nodes].sort((a, b) => rankFor(route, a.id, ids) - rankFor(route, b.id, ids));
  }

  /** Transfer ids of the TransferSent/SwapSent events in a receipt of `src`'s gateway. */
  transferIdsIn(src: string, logs: readonly { address: string; topics: readonly string[]; data: string }[]): string[] {
    const chain = this.chain(src);
    const iface = contractInterface("RemoteGateway");
    const gateway = getAddress(chain.gateway.target as string);
    const ids: string[] = [];
    for (const log of logs) {
      if (getAddress(log.address) !== gateway) continue;
      const event = iface.parseLog({ topics: [...log.topics], data: log.data });
      if (event?.name !== "TransferSent" && event?.name !== "SwapSent") continue;
      const sequence = event.args.getValue("sequence") as bigint;
      ids.push(transferId({ srcChainId: chain.chainId, srcGateway: addressToBytes32(gateway), srcRef: sequenceToRef(sequence) }));
    }
    return ids;
  }

  /** Every transfer id in the TransfersDelivered events of `dst`'s gateway from block `from` on. */
  async deliveredIds(dst: string, from: bigint): Promise<string[]> {
    const chain = this.chain(dst);
    const iface = contractInterface("RemoteGateway");
    const event = iface.getEvent("TransfersDelivered")!;
    const logs = await chain.provider.getLogs({
      address: chain.gateway.target as string,
      topics: [event.topicHash],
      fromBlock: from,
      toBlock: "latest",
    });
    return logs.flatMap((log) => iface.parseLog({ topics: [...log.topics], data: log.data })!.args.getValue("transferIds") as string[]);
  }

  /** Stops mining, deletes every key under the cluster's prefix, and stops the chains. */
  async stop(): Promise<void> {
    clearInterval(this.miner);
    try {
      await this.redis.cleanup();
    } finally {
      for (const chain of this.chains.values()) chain.provider.destroy();
      await Promise.all([...this.chains.values()].map((chain) => chain.node.stop()));
    }
  }
}

/**
 * Deletes every key under `prefix` in one step (a Lua script: nothing runs in between), as Redis losing
 * a node's data would. `deleteByPrefix` deletes in SCAN batches, between which a running node writes
 * again: some of what it rebuilds would go with the later batches, which no real loss does. For a test
 * Redis only (KEYS walks the whole keyspace).
 */
export async function wipeAtomically(redis: TestRedis["redis"], prefix: string): Promise<number> {
  if (/[*?[\]\\]/.test(prefix)) throw new Error(`a prefix without glob characters, not ${prefix}`);
  const script = "local n = 0 for _, key in ipairs(redis.call('KEYS', ARGV[1] .. '*')) do n = n + redis.call('DEL', key) end return n";
  return Number(await redis.eval(script, 0, prefix));
}

/** Starts the chains, deploys the bridge over them, and keeps them mining. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const redis = await connectTestRedis(options.label);
  const started: ClusterChain[] = [];
  try {
    const nodes = await Promise.all(options.chains.map((plan) => startHardhatNode({ chainId: plan.chainId })));
    options.chains.forEach((plan, i) => {
      const node = nodes[i]!;
      const provider = createEvmProvider({ name: plan.name, chainId: plan.chainId, rpcUrl: node.url });
      started.push({ ...plan, node, provider } as ClusterChain);
    });
    const validators = validatorWallets(options.validatorCount);
    const deployed = await deployNetwork({
      validators: validators.map((v) => v.address),
      threshold: options.threshold,
      chains: started.map((chain) => ({
        name: chain.name,
        chainId: chain.chainId,
        role: chain.role,
        deployer: new NonceManager(devAccount(0).connect(chain.provider)),
        guardian: devAccount(0).address,
        dailyLimit: null,
        timelockDelay: 0n,
      })),
    });
    for (const chain of started) chain.gateway = deployed.get(chain.name)!.gateway;
    return new Cluster(new Map(started.map((c) => [c.name, c])), validators, redis, options.mineEveryMs);
  } catch (error) {
    for (const chain of started) chain.provider.destroy();
    await Promise.all(started.map((c) => c.node.stop()));
    await redis.cleanup();
    throw error;
  }
}

// ----- nodes as child processes -----

/** A relayer node (or, with roles, one process of one) running as `node relayer/main.ts --config <file>`,
 * its output in a log file. */
export interface NodeProcess {
  readonly spec: NodeSpec;
  /** The node's id, or `<id>-<label>` for one of several processes of a node. */
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  /** Sends SIGKILL and waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** The last lines of its output. */
  tail(lines?: number): string;
}

/** Where node processes keep their configuration files and logs; `remove()` deletes it. */
export class ProcessDir {
  readonly path = mkdtempSync(join(tmpdir(), "bttb-relayer-"));
  private readonly live = new Set<NodeProcess>();

  /**
   * Writes the node's configuration and starts it; resolves once its HTTP face answers (or, for a process
   * without the `http` role, once it logs that it started). `part` runs one process of a node: its roles
   * (`--roles`) and a label naming its log file.
   */
  async spawn(
    cluster: Cluster,
    spec: NodeSpec,
    config: Record<string, unknown>,
    readyTimeoutMs = 30_000,
    part?: { label: string; roles: readonly string[] },
  ): Promise<NodeProcess> {
    const name = part ? `${spec.id}-${part.label}` : spec.id;
    const configFile = join(this.path, `${spec.id}.json`);
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const logFile = join(this.path, `${name}.log`);
    const fd = openSync(logFile, "a");
    const roles = part ? ["--roles", part.roles.join(",")] : [];
    const child = spawn(process.execPath, [join(root, "relayer", "main.ts"), "--config", configFile, ...roles], {
      cwd: root,
      stdio: ["ignore", fd, fd],
      env: { ...process.env, ...cluster.nodeEnv(spec.index) },
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const handle: NodeProcess = {
      spec,
      name,
      child,
      logFile,
      exited,
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await exited;
      },
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          await exited;
          clearTimeout(timer);
        }
      },
      tail: (lines = 30) => readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n"),
    };
    this.live.add(handle);
    void exited.then(() => this.live.delete(handle));
    let dead = false;
    void exited.then(() => (dead = true));
    const http = !part || part.roles.includes("http");
    try {
      await until(
        http ? `node process ${name} to answer on port ${spec.port}` : `node process ${name} to start`,
        async () => {
          if (dead) throw new Error(`node process ${name} exited while starting:\n${handle.tail()}`);
          if (!http) return readFileSync(logFile, "utf8").includes('"msg":"relayer node started"');
          try {
            await fetch(`http://127.0.0.1:${spec.port}/health`);
            return true;
          } catch {
            return false;
          }
        },
        readyTimeoutMs,
      );
    } catch (error) {
      await handle.kill();
      throw error;
    }
    return handle;
  }

  /** Every process still running. */
  running(): NodeProcess[] {
    return [...this.live];
  }

  /** Kills what still runs (SIGKILL, by pid: only processes started here) and deletes the directory. */
  async remove(): Promise<void> {
    await Promise.all([...this.live].map((p) => p.kill()));
    rmSync(this.path, { recursive: true, force: true });
  }
}
