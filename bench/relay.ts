// Relay benchmark (npm run bench:relay -- --transfers N): three real `hardhat node` chains (BTTC,
// Ethereum, BSC; automine on, plus a steady miner making a block on each every 200 ms, as the end-to-end
// test does), three relayer nodes in this process (threshold 2; each its own Redis key prefix, HTTP
// server and keys), the machine's Redis (127.0.0.1:6379, or REDIS_URL) under a key prefix of its own,
// deleted afterwards. It sends N BTTC→Ethereum transfers as a stream — at `--rate` transfers/s, `--per-tx`
// of them per transaction through the test-only contracts/mocks/BridgeLoad.sol, each a genuine gateway
// `bridge` call with its own sequence number — waits until every one is delivered (or the timeout), then
// a second run at 10 transfers/s, one plain `BttcGateway.bridge` transaction each, for the light-load
// latency. Writes bench/results/relay.json.
//
// Latency: from finality at the source — the moment the block `confirmations` deeper than the transfer's
// block was made — to inclusion at the destination — the moment the block carrying the delivery was made.
// Both moments are this process's clock (Date.now()) when the chain's `newHeads` subscription announced
// the block (bench/relay/block-clock.ts); block timestamps are whole seconds, too coarse for this.
// Throughput: delivered transfers / seconds from the first transfer sent to the last one included.
// delivered / duplicates / lost are read from the chain: the Ethereum gateway's TransfersDelivered events
// (an id listed twice would be a duplicate, an id never listed is lost) and each recipient's balance.
//
// `--profile` also samples this process's JavaScript during the heavy run and reports where its CPU went.
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  Contract,
  ContractFactory,
  FetchRequest,
  HDNodeWallet,
  JsonRpcProvider,
  Network,
  NonceManager,
  Wallet,
  dataSlice,
  getAddress,
  keccak256,
  parseEther,
  toQuantity,
  toUtf8Bytes,
  type InterfaceAbi,
  type Log,
  type TransactionReceipt,
} from "ethers";
import { pino } from "pino";
import { addressToBytes32, sequenceToRef, transferId } from "../common/transfer.ts";
import { contractInterface } from "../common/contracts/artifacts.ts";
import { sortValidators } from "../deploy/bridge.ts";
import { deployNetwork } from "../deploy/network.ts";
import { EventDecoder } from "../relayer/chains/evm/events.ts";
import { parseRelayerConfig } from "../relayer/config.ts";
import { RelayerNode } from "../relayer/node.ts";
import { rankFor } from "../relayer/deliver/designation.ts";
import { routeKey } from "../common/routes.ts";
import { TransferStore, type TimelineEntry } from "../relayer/store/transfer-store.ts";
import { freePort, startHardhatNode, type HardhatNode } from "../testkit/hardhat-node.ts";
import { connectTestRedis, testRedisUrl, type TestRedis } from "../testkit/redis.ts";
import { BlockClock } from "./relay/block-clock.ts";
import { BENCH_HEADER, CpuMeter, Profiler, RequestMeter, pidsListeningAs, type CpuReport, type MethodTimers } from "./relay/instruments.ts";
import type { FromNode, NodeReport, ToNode } from "./relay/node-process.ts";
import { installRelayerTimers } from "./relay/timers.ts";
import { sleep } from "../common/async.ts";
import { CHAIN_IDS, DEVNET_MNEMONIC } from "../testkit/constants.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const { values: args } = parseArgs({
  options: {
    transfers: { type: "string", default: "200" },
    rate: { type: "string", default: "400" },
    "per-tx": { type: "string", default: "50" },
    "light-transfers": { type: "string", default: "100" },
    "light-rate": { type: "string", default: "10" },
    batch: { type: "string", default: "128" },
    "poll-ms": { type: "string", default: "250" },
    "fallback-ms": { type: "string", default: "5000" },
    confirmations: { type: "string", default: "2" },
    timeout: { type: "string" },
    relayers: { type: "string", default: "process" },
    profile: { type: "boolean", default: false },
    "skip-light": { type: "boolean", default: false },
    out: { type: "string", default: join(root, "bench", "results", "relay.json") },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  console.log(`usage: npm run bench:relay -- [--transfers N] [--rate R] [--per-tx K] [--light-transfers L] [--light-rate R]
  [--batch B] [--poll-ms MS] [--fallback-ms MS] [--confirmations C] [--timeout S] [--relayers process|inprocess] [--profile] [--skip-light]
  [--out FILE]`);
  process.exit(0);
}
const intArg = (name: keyof typeof args): number => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, not ${String(args[name])}`);
  return n;
};
const N = intArg("transfers");
const RATE = intArg("rate");
const PER_TX = intArg("per-tx");
const LIGHT_N = intArg("light-transfers");
const LIGHT_RATE = intArg("light-rate");
const BATCH = intArg("batch");
const POLL_MS = intArg("poll-ms");
const FALLBACK_MS = intArg("fallback-ms");
const CONFIRMATIONS = intArg("confirmations");
const TIMEOUT_S = args.timeout !== undefined ? intArg("timeout") : 60 + Math.ceil(N / 25);
const MINE_EVERY_MS = 200;
const RELAYERS = args.relayers;
if (RELAYERS !== "process" && RELAYERS !== "inprocess") throw new Error(`--relayers is process or inprocess, not ${RELAYERS}`);
const AMOUNT = parseEther("0.001"); // per transfer

// ----- artifacts -----

const LOAD_ARTIFACT = join(root, "artifacts", "contracts", "mocks", "BridgeLoad.sol", "BridgeLoad.json");
if (!existsSync(LOAD_ARTIFACT) || !existsSync(join(root, "artifacts", "contracts", "BttcGateway.sol", "BttcGateway.json"))) {
  console.log("compiling the contracts (npx hardhat build) …");
  // Hardhat's CLI under this very Node (Hardhat wants ≥ 22.13; `node_modules/.bin` may not be on PATH).
  const cli = realpathSync(join(root, "node_modules", ".bin", "hardhat"));
  const built = spawnSync(process.execPath, [cli, "build"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) throw new Error("`npx hardhat build` failed");
}
const sentEvents = new EventDecoder(contractInterface("BttcGateway"), ["TransferSent"]);
const deliveryEvents = new EventDecoder(contractInterface("RemoteGateway"), ["TransfersDelivered", "TransferSkipped"]);
const loadArtifact = JSON.parse(readFileSync(LOAD_ARTIFACT, "utf8")) as { abi: InterfaceAbi; bytecode: string };

// ----- set-up -----

const account = (i: number) => HDNodeWallet.fromPhrase(DEVNET_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
const CHAINS = { bttc: CHAIN_IDS.bttc, ethereum: CHAIN_IDS.ethereum, bsc: CHAIN_IDS.bsc } as const;
type Name = keyof typeof CHAINS;
const NAMES = Object.keys(CHAINS) as Name[];
const NODE_IDS = ["n1", "n2", "n3"];

function validatorWallets(count: number): Wallet[] {
  const wallets = Array.from({ length: count }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`validator-${i}`))));
  return sortValidators(wallets.map((w) => w.address)).map((a) => wallets.find((w) => w.address === a)!);
}

/** A provider for the benchmark's own requests (load, miner, checks): marked, so the meter leaves them out. */
function benchProvider(name: string, chainId: bigint, url: string): JsonRpcProvider {
  const request = new FetchRequest(url);
  request.setHeader(BENCH_HEADER, "1");
  request.timeout = 120_000;
  const network = new Network(name, chainId);
  return new JsonRpcProvider(request, network, { staticNetwork: network, cacheTimeout: -1 });
}

function recipientOf(label: string, i: number): string {
  return getAddress(dataSlice(keccak256(toUtf8Bytes(`bench-relay ${label} ${i}`)), 12));
}

let aborted = false;
process.once("SIGINT", () => {
  console.log("\ninterrupted: cleaning up …");
  aborted = true;
});

interface ChainHandle {
  node: HardhatNode;
  provider: JsonRpcProvider;
  gateway: Contract;
  clock: BlockClock;
}

interface Sent {
  id: string;
  recipient: string;
  amount: bigint;
  srcBlock: bigint;
  sentAt: number;
}

interface Delivery {
  block: bigint;
  txHash: string;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i]!);
}

function stats(values: number[]): { p50: number | null; p95: number | null; max: number | null } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: percentile(sorted, 100) };
}

/** A relayer node, in this process or a child process (bench/relay/node-process.ts). */
interface RelayerHandle {
  id: string;
  /** Its store, read through the benchmark's own Redis connection. */
  store: TransferStore;
  pid: number | null;
  /** Child processes: resets its counters (and starts profiling). */
  reset(profile: boolean): Promise<void>;
  /** Child processes: its counters since reset (and the profile, written to profilePath). */
  report(profilePath?: string): Promise<NodeReport | null>;
  stop(): Promise<void>;
}

function inProcess(node: RelayerNode, store: TransferStore): RelayerHandle {
  return {
    id: node.config.id,
    store,
    pid: null,
    reset: () => Promise.resolve(),
    report: () => Promise.resolve(null),
    stop: () => node.stop(),
  };
}

async function childProcess(id: string, store: TransferStore, specPath: string, env: NodeJS.ProcessEnv): Promise<RelayerHandle> {
  const child: ChildProcess = fork(join(root, "bench", "relay", "node-process.ts"), [specPath], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = <T extends FromNode["type"]>(type: T, timeoutMs: number): Promise<Extract<FromNode, { type: T }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relayer ${id}: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: FromNode) => {
        if (message.type === "error") {
          cleanup();
          reject(new Error(`relayer ${id}: ${message.message}`));
        } else if (message.type === type) {
          cleanup();
          resolve(message as Extract<FromNode, { type: T }>);
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`relayer ${id} exited with ${code}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const tell = (message: ToNode) => child.send(message);
  await next("started", 60_000);
  return {
    id,
    store,
    pid: child.pid ?? null,
    reset: (profile) => Promise.resolve(void tell({ type: "reset", profile })),
    report: async (profilePath) => {
      const answer = next("report", 60_000);
      tell(profilePath ? { type: "report", profilePath } : { type: "report" });
      return (await answer).report;
    },
    stop: async () => {
      if (child.exitCode !== null || !child.connected) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      tell({ type: "stop" });
      const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

const chains = {} as Record<Name, ChainHandle>;
const relayers: RelayerHandle[] = [];
let redis: TestRedis | undefined;
let miner: NodeJS.Timeout | undefined;
const logFile = join(tmpdir(), `bench-relay-${process.pid}.log`);

async function setUp(meter: RequestMeter): Promise<{ load: Contract; sender: Wallet; validators: Wallet[] }> {
  redis = await connectTestRedis("bench-relay");
  console.log(`redis ${testRedisUrl()} under ${redis.prefix}`);
  for (const name of NAMES) {
    const node = await startHardhatNode({ chainId: CHAINS[name] });
    const provider = benchProvider(name, CHAINS[name], node.url);
    chains[name] = { node, provider } as ChainHandle;
    meter.nameChain(String(node.port), name);
    console.log(`${name}: hardhat node on ${node.url}`);
  }
  const validators = validatorWallets(3);
  const deployed = await deployNetwork({
    validators: validators.map((v) => v.address),
    threshold: 2,
    chains: NAMES.map((name) => ({
      name,
      chainId: CHAINS[name],
      role: name === "bttc" ? ("bttc" as const) : ("remote" as const),
      deployer: new NonceManager(account(0).connect(chains[name].provider)),
      guardian: account(0).address,
      dailyLimit: null,
      timelockDelay: 0n,
    })),
  });
  for (const name of NAMES) chains[name].gateway = deployed.get(name)!.gateway;
  const deployer = new NonceManager(account(0).connect(chains.bttc.provider));
  const load = (await new ContractFactory(loadArtifact.abi, loadArtifact.bytecode, deployer).deploy()) as Contract;
  await load.waitForDeployment();
  for (const name of NAMES) chains[name].clock = await BlockClock.open(name, chains[name].node.url);

  const ports = await Promise.all(NODE_IDS.map(() => freePort()));
  const log = pino({ level: "warn" }, pino.destination({ dest: logFile, sync: false }));
  const chainPorts = Object.fromEntries(NAMES.map((name) => [String(chains[name].node.port), name]));
  const startBlocks = await Promise.all(NAMES.map(async (name) => String(await chains[name].provider.getBlockNumber())));
  const specDir = mkdtempSync(join(tmpdir(), "bench-relay-"));
  for (const [i, id] of NODE_IDS.entries()) {
    const prefix = `${redis.prefix}${id}:`;
    const raw = {
      id,
      redisUrl: testRedisUrl(),
      keyPrefix: prefix,
      attestationKey: { env: `BENCH_ATTEST_${i}` },
      payerKey: { env: `BENCH_PAYER_${i}` },
      http: { host: "127.0.0.1", port: ports[i] },
      peers: NODE_IDS.map((peer, j) => ({ id: peer, url: `http://127.0.0.1:${ports[j]}`, signer: validators[j]!.address })).filter(
        (p) => p.id !== id,
      ),
      chains: NAMES.map((name, c) => ({
        name,
        chainId: CHAINS[name].toString(),
        rpcUrl: chains[name].node.url,
        gateway: chains[name].gateway.target as string,
        finality: { confirmations: CONFIRMATIONS },
        startBlock: startBlocks[c],
        pollIntervalMs: POLL_MS,
      })),
      batch: { maxTransfers: BATCH },
      delivery: { fallbackMs: FALLBACK_MS, confirmPollMs: 250, retryLaterMs: 5_000, peerTimeoutMs: 3_000, concurrency: 4 },
    };
    const env = { [`BENCH_ATTEST_${i}`]: validators[i]!.privateKey, [`BENCH_PAYER_${i}`]: account(1 + i).privateKey };
    const store = new TransferStore(redis.redis, prefix);
    if (RELAYERS === "process") {
      const specPath = join(specDir, `${id}.json`);
      writeFileSync(specPath, JSON.stringify({ config: raw, logFile, chainPorts }));
      relayers.push(await childProcess(id, store, specPath, env));
    } else {
      const relayer = new RelayerNode({ config: parseRelayerConfig(raw), env, log: log.child({ node: id }) });
      await relayer.start();
      relayers.push(inProcess(relayer, store));
    }
  }
  rmSync(specDir, { recursive: true, force: true });
  miner = setInterval(() => {
    for (const name of NAMES) void chains[name].provider.send("evm_mine", []).catch(() => undefined);
  }, MINE_EVERY_MS);
  return { load, sender: new Wallet(account(6).privateKey), validators };
}

// ----- one run -----

interface PhaseOptions {
  label: string;
  count: number;
  rate: number;
  perTx: number;
  timeoutS: number;
  profile: boolean;
}

class Phase {
  private readonly o: PhaseOptions;
  private readonly load: Contract;
  private readonly sender: Wallet;
  private nonce: number;
  readonly sent: Sent[] = [];
  private readonly receipts: Promise<void>[] = [];
  readonly deliveries = new Map<string, Delivery[]>();
  skippedAlreadyDelivered = 0;
  skippedOther = 0;
  private nextLogBlock: bigint;
  firstSentAt = 0;
  lastSentAt = 0;

  constructor(o: PhaseOptions, load: Contract, sender: Wallet, nonce: number, fromBlock: bigint) {
    this.o = o;
    this.load = load;
    this.sender = sender;
    this.nonce = nonce;
    this.nextLogBlock = fromBlock;
  }

  get nextNonce(): number {
    return this.nonce;
  }

  /** Sends the stream: one transaction every perTx/rate seconds (sequentially; late ones go at once). */
  async send(): Promise<void> {
    const { bttc } = chains;
    const gatewayIface = contractInterface("BttcGateway");
    const txCount = Math.ceil(this.o.count / this.o.perTx);
    const intervalMs = (this.o.perTx / this.o.rate) * 1000;
    // BTTC runs Berlin rules (no base fee, type 2 refused): legacy transactions, as every sender there.
    const fees = { type: 0, gasPrice: 200_000_000_000n };
    let gasLimit: bigint | undefined;
    this.firstSentAt = Date.now();
    for (let j = 0; j < txCount && !aborted; j++) {
      const due = this.firstSentAt + j * intervalMs;
      if (due > Date.now()) await sleep(due - Date.now());
      const first = j * this.o.perTx;
      const count = Math.min(this.o.perTx, this.o.count - first);
      const recipients = Array.from({ length: count }, (_, k) => recipientOf(this.o.label, first + k));
      const tx =
        this.o.perTx === 1
          ? { to: bttc.gateway.target as string, data: gatewayIface.encodeFunctionData("bridge", [CHAINS.ethereum, recipients[0]]) }
          : {
              to: this.load.target as string,
              data: this.load.interface.encodeFunctionData("bridgeMany", [bttc.gateway.target, CHAINS.ethereum, recipients]),
            };
      const value = AMOUNT * BigInt(count);
      if (gasLimit === undefined || count !== this.o.perTx) {
        const estimate = await bttc.provider.estimateGas({ ...tx, from: this.sender.address, value });
        gasLimit = (estimate * 13n) / 10n;
      }
      const raw = await this.sender.signTransaction({ ...tx, value, gasLimit, nonce: this.nonce++, chainId: CHAINS.bttc, ...fees });
      const sentAt = Date.now();
      const hash = (await bttc.provider.send("eth_sendRawTransaction", [raw])) as string;
      this.lastSentAt = Date.now();
      this.receipts.push(this.record(hash, recipients, sentAt));
    }
    await Promise.all(this.receipts);
  }

  private async record(hash: string, recipients: string[], sentAt: number): Promise<void> {
    const { bttc } = chains;
    let receipt: TransactionReceipt | null = null;
    for (let tries = 0; !receipt; tries++) {
      receipt = await bttc.provider.getTransactionReceipt(hash);
      if (!receipt) {
        if (tries > 600) throw new Error(`load transaction ${hash} not mined`);
        await sleep(100);
      }
    }
    if (receipt.status !== 1) throw new Error(`load transaction ${hash} failed`);
    const srcGateway = addressToBytes32(bttc.gateway.target as string);
    const seen: Sent[] = [];
    for (const log of receipt.logs) {
      if (getAddress(log.address) !== getAddress(bttc.gateway.target as string)) continue;
      const event = sentEvents.decode(log);
      if (event?.name !== "TransferSent") continue;
      const sequence = event.args.getValue("sequence") as bigint;
      seen.push({
        id: transferId({ srcChainId: CHAINS.bttc, srcGateway, srcRef: sequenceToRef(sequence) }),
        recipient: getAddress(event.args.getValue("recipient") as string),
        amount: event.args.getValue("amount") as bigint,
        srcBlock: BigInt(receipt.blockNumber),
        sentAt,
      });
    }
    if (seen.length !== recipients.length)
      throw new Error(`load transaction ${hash}: ${seen.length} transfers, expected ${recipients.length}`);
    this.sent.push(...seen);
  }

  /** Reads the Ethereum gateway's new TransfersDelivered / TransferSkipped events. */
  async readDeliveries(): Promise<void> {
    const { ethereum } = chains;
    const head = BigInt(await ethereum.provider.getBlockNumber());
    if (head < this.nextLogBlock) return;
    const logs: Log[] = await ethereum.provider.getLogs({
      address: ethereum.gateway.target as string,
      topics: [deliveryEvents.topics],
      fromBlock: toQuantity(this.nextLogBlock),
      toBlock: toQuantity(head),
    });
    for (const log of logs) {
      const event = deliveryEvents.decode(log);
      if (event?.name === "TransfersDelivered") {
        for (const id of event.args.getValue("transferIds") as string[]) {
          const list = this.deliveries.get(id) ?? [];
          list.push({ block: BigInt(log.blockNumber), txHash: log.transactionHash });
          this.deliveries.set(id, list);
        }
      } else if (event?.name === "TransferSkipped") {
        if (Number(event.args.getValue("reason") as bigint) === 0) this.skippedAlreadyDelivered++;
        else this.skippedOther++;
      }
    }
    this.nextLogBlock = head + 1n;
  }

  deliveredCount(): number {
    return this.sent.reduce((n, s) => n + (this.deliveries.has(s.id) ? 1 : 0), 0);
  }
}

async function runPhase(
  o: PhaseOptions,
  load: Contract,
  sender: Wallet,
  nonce: number,
  meters: { requests: RequestMeter; cpu: CpuMeter; timers: MethodTimers | null },
) {
  console.log(`\n== ${o.label}: ${o.count} transfers at ${o.rate}/s, ${o.perTx} per transaction (timeout ${o.timeoutS} s) ==`);
  const fromBlock = BigInt(await chains.ethereum.provider.getBlockNumber()) + 1n;
  const phase = new Phase(o, load, sender, nonce, fromBlock);
  meters.requests.reset();
  meters.timers?.reset();
  await meters.cpu.start();
  const profiler = o.profile && RELAYERS === "inprocess" ? new Profiler() : null;
  await profiler?.start();
  for (const relayer of relayers) await relayer.reset(o.profile);

  const started = Date.now();
  let sending = true;
  const sendDone = phase.send().finally(() => (sending = false));
  let lastPrint = started;
  let lastDelivered = 0;
  const deadline = started + o.timeoutS * 1000;
  for (;;) {
    await sleep(300);
    await phase.readDeliveries();
    const delivered = phase.deliveredCount();
    const now = Date.now();
    if (now - lastPrint >= 2_000) {
      const rate = ((delivered - lastDelivered) / (now - lastPrint)) * 1000;
      console.log(
        `[${o.label} ${((now - started) / 1000).toFixed(1)} s] sent ${phase.sent.length}/${o.count} · delivered ${delivered} · ${rate.toFixed(0)}/s over the last ${((now - lastPrint) / 1000).toFixed(1)} s`,
      );
      lastPrint = now;
      lastDelivered = delivered;
    }
    if (!sending && delivered >= o.count) break;
    if (aborted || now > deadline) {
      console.log(aborted ? "aborted" : `timed out after ${o.timeoutS} s with ${delivered}/${o.count} delivered`);
      break;
    }
  }
  await sendDone;
  const cpu = await meters.cpu.stop();
  const requests = { ...meters.requests.snapshot(), ...(meters.timers ? { steps: meters.timers.snapshot() } : {}) };
  const profilePath = (who: string) => join(tmpdir(), `bench-relay-${process.pid}-${o.label}-${who}.cpuprofile`);
  const profile = await profiler?.stop(profilePath("all"));
  const nodes: Record<string, NodeReport> = {};
  for (const relayer of relayers) {
    const report = await relayer.report(o.profile ? profilePath(relayer.id) : undefined);
    if (report) nodes[relayer.id] = report;
  }
  if (o.profile) console.log(`CPU profiles: ${profilePath("*")}`);
  // Deliveries made after the stop, so that a late duplicate would still be seen.
  await sleep(1_000);
  await phase.readDeliveries();
  return { phase, cpu, requests, profile, nodes, elapsedS: (Date.now() - started) / 1000 };
}

/** Checks on chain and computes the numbers of one run. */
async function evaluate(phase: Phase) {
  const { bttc, ethereum } = chains;
  // Balances: each recipient received exactly its amount, once.
  let balanceMismatches = 0;
  for (let i = 0; i < phase.sent.length; i += 200) {
    const chunk = phase.sent.slice(i, i + 200);
    const balances = await Promise.all(chunk.map((s) => ethereum.gateway.getFunction("balanceOf")(s.recipient) as Promise<bigint>));
    balances.forEach((b, k) => {
      if (b !== chunk[k]!.amount) balanceMismatches++;
    });
  }
  const sentIds = new Set(phase.sent.map((s) => s.id));
  let delivered = 0;
  let duplicates = 0;
  const latencies: number[] = [];
  let firstSent = Number.POSITIVE_INFINITY;
  let lastIncluded = 0;
  for (const s of phase.sent) {
    firstSent = Math.min(firstSent, s.sentAt);
    const list = phase.deliveries.get(s.id);
    if (!list) continue;
    delivered++;
    duplicates += list.length - 1;
    const included = ethereum.clock.timeOf(list[0]!.block);
    const final = bttc.clock.timeOf(s.srcBlock + BigInt(CONFIRMATIONS));
    if (included !== null) lastIncluded = Math.max(lastIncluded, included);
    if (included !== null && final !== null) latencies.push(included - final);
  }
  const unknownDelivered = [...phase.deliveries.keys()].filter((id) => !sentIds.has(id)).length;
  const seconds = lastIncluded > firstSent ? (lastIncluded - firstSent) / 1000 : null;
  const latency = stats(latencies);

  // Delivery transactions: how many, how large, and who sent them.
  const txs = new Map<string, number>();
  for (const list of phase.deliveries.values()) for (const d of list) txs.set(d.txHash, (txs.get(d.txHash) ?? 0) + 1);
  const payerOf = new Map(NODE_IDS.map((id, i) => [account(1 + i).address, id]));
  const byNode: Record<string, number> = {};
  for (const hash of txs.keys()) {
    const tx = await ethereum.provider.getTransaction(hash);
    const node = (tx && payerOf.get(getAddress(tx.from))) ?? "other";
    byNode[node] = (byNode[node] ?? 0) + 1;
  }
  const sizes = [...txs.values()];
  return {
    transfers: phase.sent.length,
    seconds: seconds === null ? null : Math.round(seconds * 100) / 100,
    transfersPerSecond: seconds ? Math.round((delivered / seconds) * 10) / 10 : null,
    p50LatencyMs: latency.p50,
    p95LatencyMs: latency.p95,
    maxLatencyMs: latency.max,
    delivered: delivered - Math.min(delivered, balanceMismatches),
    duplicates,
    lost: phase.sent.length - delivered,
    balanceMismatches,
    unknownIdsDelivered: unknownDelivered,
    deliveryTransactions: txs.size,
    transfersPerDelivery: sizes.length ? Math.round((sizes.reduce((a, b) => a + b, 0) / sizes.length) * 10) / 10 : 0,
    largestDelivery: sizes.length ? Math.max(...sizes) : 0,
    deliveryTransactionsByNode: byNode,
    sentPerSecond:
      phase.lastSentAt > phase.firstSentAt ? Math.round(phase.sent.length / ((phase.lastSentAt - phase.firstSentAt) / 1000)) : null,
    skippedAlreadyDelivered: phase.skippedAlreadyDelivered,
    skippedOther: phase.skippedOther,
  };
}

/** Where a transfer's time went on the route's designated node, from its store's timeline. */
async function stages(phase: Phase) {
  const srcGateway = addressToBytes32(chains.bttc.gateway.target as string);
  const route = routeKey({ srcChainId: CHAINS.bttc, srcGateway, dstChainId: CHAINS.ethereum });
  const designated = NODE_IDS.findIndex((id) => rankFor(route, id, NODE_IDS) === 0);
  const store = relayers[designated]!.store;
  const watch: number[] = [];
  const toAttested: number[] = [];
  const toSubmitted: number[] = [];
  const confirmAfterInclusion: number[] = [];
  for (let i = 0; i < phase.sent.length; i += 200) {
    const chunk = phase.sent.slice(i, i + 200);
    const records = await Promise.all(chunk.map((s) => store.get(s.id)));
    records.forEach((record, k) => {
      if (!record) return;
      const s = chunk[k]!;
      const at = (status: TimelineEntry["status"]) => record.timeline.find((e) => e.status === status)?.at;
      const finalAt = chains.bttc.clock.timeOf(s.srcBlock + BigInt(CONFIRMATIONS));
      const finalized = at("finalized");
      const attested = at("attested");
      const submitted = at("submitted");
      const completed = at("completed");
      const delivery = phase.deliveries.get(s.id)?.[0];
      const included = delivery ? chains.ethereum.clock.timeOf(delivery.block) : null;
      if (finalAt !== null && finalized !== undefined) watch.push(finalized - finalAt);
      if (finalized !== undefined && attested !== undefined) toAttested.push(attested - finalized);
      if (attested !== undefined && submitted !== undefined) toSubmitted.push(submitted - attested);
      if (included !== null && completed !== undefined) confirmAfterInclusion.push(completed - included);
    });
  }
  return {
    designatedNode: NODE_IDS[designated],
    "finality → recorded final by the watcher (ms)": stats(watch),
    "recorded final → attested: queue wait, batch gathering, own + peer signatures (ms)": stats(toAttested),
    "attested → submitted: estimate, sign, send, incl. status writes (ms)": stats(toSubmitted),
    "inclusion → recorded completed (ms; not part of the latency)": stats(confirmAfterInclusion),
  };
}

function warningsSummary(): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!existsSync(logFile)) return counts;
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    if (!line) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; err?: string };
      const key = `${entry.msg ?? "?"}${entry.err ? `: ${entry.err.replace(/0x[0-9a-f]+/gi, "0x…").slice(0, 80)}` : ""}`;
      counts[key] = (counts[key] ?? 0) + 1;
    } catch {
      counts["(unparsed)"] = (counts["(unparsed)"] ?? 0) + 1;
    }
  }
  return counts;
}

async function main(): Promise<void> {
  const requests = new RequestMeter();
  requests.install();
  const timers = RELAYERS === "inprocess" ? installRelayerTimers() : null;
  const t0 = Date.now();
  try {
    const { load, sender } = await setUp(requests);
    const processes = new Map(NAMES.map((name) => [`hardhat node ${name}`, pidsListeningAs(chains[name].node.port)]));
    for (const relayer of relayers) if (relayer.pid !== null) processes.set(`relayer ${relayer.id}`, [relayer.pid]);
    const cpu = new CpuMeter(
      processes,
      redis!.redis,
      RELAYERS === "inprocess" ? "bench + 3 relayers (one process)" : "bench (load, clocks, checks)",
    );
    console.log(`set up in ${((Date.now() - t0) / 1000).toFixed(1)} s; relayer logs (warnings) in ${logFile}`);
    let nonce = await chains.bttc.provider.getTransactionCount(sender.address, "pending");

    const heavyRun = await runPhase(
      { label: "stream", count: N, rate: RATE, perTx: PER_TX, timeoutS: TIMEOUT_S, profile: args.profile },
      load,
      sender,
      nonce,
      { requests, cpu, timers },
    );
    nonce = heavyRun.phase.nextNonce;
    const heavy = await evaluate(heavyRun.phase);
    const heavyStages = await stages(heavyRun.phase);
    console.log(heavy);

    let light: Awaited<ReturnType<typeof evaluate>> | null = null;
    let lightRun: Awaited<ReturnType<typeof runPhase>> | null = null;
    let lightStages: Awaited<ReturnType<typeof stages>> | null = null;
    if (!args["skip-light"] && !aborted) {
      lightRun = await runPhase(
        { label: "light", count: LIGHT_N, rate: LIGHT_RATE, perTx: 1, timeoutS: 60 + Math.ceil(LIGHT_N / LIGHT_RATE), profile: false },
        load,
        sender,
        nonce,
        { requests, cpu, timers },
      );
      light = await evaluate(lightRun.phase);
      lightStages = await stages(lightRun.phase);
      console.log(light);
    }

    const result = {
      transfers: heavy.transfers,
      seconds: heavy.seconds,
      transfersPerSecond: heavy.transfersPerSecond,
      p50LatencyMs: heavy.p50LatencyMs,
      p95LatencyMs: heavy.p95LatencyMs,
      delivered: heavy.delivered,
      duplicates: heavy.duplicates,
      lost: heavy.lost,
      lightLoadP95LatencyMs: light?.p95LatencyMs ?? null,
      details: {
        machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "?", node: process.version },
        setup: {
          chains: "3 `hardhat node` processes (BTTC, Ethereum, BSC): automine on, plus evm_mine every 200 ms on each",
          relayers:
            RELAYERS === "process"
              ? "3 relayer nodes, each its own Node.js process (bench/relay/node-process.ts), threshold 2, one Redis key prefix each"
              : "3 RelayerNode instances in this process, threshold 2, one Redis key prefix each",
          finality: `${CONFIRMATIONS} confirmations`,
          pollIntervalMs: POLL_MS,
          fallbackMs: FALLBACK_MS,
          batchMaxTransfers: BATCH,
          load: `${RATE} transfers/s offered, ${PER_TX} per transaction via contracts/mocks/BridgeLoad.sol`,
          lightLoad: `${LIGHT_N} transfers at ${LIGHT_RATE}/s, one BttcGateway.bridge transaction each`,
          latency:
            "finality at the source (block +confirmations announced) → destination block with the delivery announced; both by this process's clock via newHeads",
        },
        stream: {
          ...heavy,
          stages: heavyStages,
          cpu: heavyRun.cpu,
          requests: RELAYERS === "inprocess" ? heavyRun.requests : heavyRun.nodes,
          ...(heavyRun.profile ? { jsProfileMs: heavyRun.profile } : {}),
        },
        light:
          light && lightRun
            ? { ...light, stages: lightStages, cpu: lightRun.cpu, requests: RELAYERS === "inprocess" ? lightRun.requests : lightRun.nodes }
            : null,
        relayerWarnings: warningsSummary(),
      },
    };
    if (!aborted) {
      mkdirSync(dirname(args.out), { recursive: true });
      writeFileSync(args.out, JSON.stringify(result, null, 2) + "\n");
      console.log(`\nwrote ${args.out}`);
    }
    printSummary(result.transfers, heavy, light, heavyRun.cpu);
  } finally {
    await tearDown();
    console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

function printSummary(
  n: number,
  heavy: Awaited<ReturnType<typeof evaluate>>,
  light: Awaited<ReturnType<typeof evaluate>> | null,
  cpu: CpuReport,
): void {
  console.log(
    `\n${n} transfers: ${heavy.transfersPerSecond ?? "?"} transfers/s over ${heavy.seconds ?? "?"} s; latency p50 ${heavy.p50LatencyMs} ms, p95 ${heavy.p95LatencyMs} ms; ` +
      `delivered ${heavy.delivered}, duplicates ${heavy.duplicates}, lost ${heavy.lost}; light-load p95 ${light?.p95LatencyMs ?? "-"} ms`,
  );
  console.log("CPU seconds during the stream:", cpu.cpuSeconds, `(${cpu.machineCoresBusy} of ${cpus().length} cores busy on average)`);
  const others = Math.round((cpu.machineCoresBusyAll - cpu.machineCoresBusy) * 100) / 100;
  if (others > 0.3)
    console.log(
      `warning: other work on this machine kept ${others} cores busy during the stream; the numbers are lower than on a quiet machine`,
    );
}

async function tearDown(): Promise<void> {
  if (miner) clearInterval(miner);
  for (const relayer of relayers) await relayer.stop().catch((e: unknown) => console.error("relayer stop:", e));
  for (const name of NAMES) chains[name]?.clock?.close();
  await redis?.cleanup();
  for (const name of NAMES) chains[name]?.provider.destroy();
  await Promise.all(NAMES.map((name) => chains[name]?.node.stop()));
}

await main();
