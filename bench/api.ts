// API benchmark (npm run bench:api): GET /v1/transfers/:id and GET /v1/quote under load.
//
// Setup: two `hardhat node` chains (BTTC, Ethereum) with the bridge deployed (fee and minimum on every
// route, so quotes do real arithmetic), 10,000 transfer records written through the relayer's
// TransferStore into the machine's Redis under a key prefix of this run (deleted afterwards), and the API
// as its own process (`node api/main.ts --config …`, logging at warn). The load comes from this process
// (autocannon), so the API has a process of its own. Status lookups rotate over all 10,000 ids. Quotes
// read the route from the chain at most every chainCacheMs (2 s, the default). The rate limit is raised
// to 10^9 per minute for the run (the default, 600 per client per minute, would refuse almost all of it).
// Writes bench/results/api.json.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { NonceManager, Wallet, parseEther } from "ethers";
import { Redis } from "ioredis";
import { deployNetwork } from "../deploy/network.ts";
import { createEvmProvider } from "../common/rpc/evm-provider.ts";
import { TransferStore } from "../relayer/store/transfer-store.ts";
import { freePort, startHardhatNode } from "../testkit/hardhat-node.ts";
import { deleteByPrefix } from "../testkit/redis.ts";
import { devAccount } from "../testkit/relayer-cluster.ts";
import { observedTransfer } from "../testkit/transfer-records.ts";
import { until } from "../testkit/wait.ts";
import { CHAIN_IDS } from "../testkit/constants.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const RECORDS = 10_000;
const DURATION_S = 15;
const CONNECTIONS = 50;
const CHAINS = { bttc: CHAIN_IDS.bttc, ethereum: CHAIN_IDS.ethereum } as const;

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `bttb-bench:api:${Date.now().toString(36)}:`;
const redis = new Redis(redisUrl);
const workDir = mkdtempSync(join(tmpdir(), "bttb-bench-api-"));
const nodes = await Promise.all(Object.values(CHAINS).map((chainId) => startHardhatNode({ chainId })));
let api: ReturnType<typeof spawn> | undefined;

try {
  const providers = Object.keys(CHAINS).map((name, i) =>
    createEvmProvider({ name, chainId: Object.values(CHAINS)[i]!, rpcUrl: nodes[i]!.url }),
  );
  const deployed = await deployNetwork({
    validators: [0, 1, 2].map(() => Wallet.createRandom().address),
    threshold: 2,
    chains: (Object.keys(CHAINS) as (keyof typeof CHAINS)[]).map((name, i) => ({
      name,
      chainId: CHAINS[name],
      role: name === "bttc" ? ("bttc" as const) : ("remote" as const),
      deployer: new NonceManager(devAccount(0).connect(providers[i]!)),
      guardian: devAccount(0).address,
      dailyLimit: null,
      timelockDelay: 0n,
      fees: new Map([[name === "bttc" ? CHAINS.ethereum : CHAINS.bttc, parseEther("0.01")]]),
      minimums: new Map([[name === "bttc" ? CHAINS.ethereum : CHAINS.bttc, parseEther("0.1")]]),
    })),
  });
  for (const p of providers) p.destroy();

  // Seed: records as a relayer node writes them, each with a full lifecycle (5 timeline entries).
  const store = new TransferStore(redis, `${prefix}node:`);
  const gateway = deployed.get("bttc")!.gateway.target as string;
  const ids: string[] = [];
  const seedStart = Date.now();
  for (let i = 0; i < RECORDS; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, RECORDS - i) }, async (_, j) => {
        const o = observedTransfer({
          srcChainId: CHAINS.bttc,
          srcGateway: gateway,
          dstChainId: CHAINS.ethereum,
          sequence: BigInt(i + j + 1),
        });
        await store.observe(o, "pending");
        await store.observe(o, "finalized");
        await store.transition(o.id, "attested", { detail: "2 signatures" });
        await store.transition(o.id, "submitted", { txHash: `0x${"cd".repeat(32)}` });
        await store.transition(o.id, "completed", { txHash: `0x${"cd".repeat(32)}` });
        ids.push(o.id);
      }),
    );
  }
  console.log(`seeded ${RECORDS} transfers in ${Date.now() - seedStart} ms`);

  const port = await freePort();
  const configFile = join(workDir, "api.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      port,
      redisUrl,
      keyPrefix: `${prefix}node:`,
      rateLimit: { max: 1_000_000_000, timeWindow: 60_000 },
      chains: (Object.keys(CHAINS) as (keyof typeof CHAINS)[]).map((name, i) => ({
        name,
        family: "evm",
        role: name === "bttc" ? "bttc" : "remote",
        chainId: CHAINS[name].toString(),
        rpcUrl: nodes[i]!.url,
        gateway: deployed.get(name)!.gateway.target,
      })),
    }),
  );
  api = spawn(process.execPath, [join(root, "api", "main.ts"), "--config", configFile], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, LOG_LEVEL: "warn" },
  });
  const base = `http://127.0.0.1:${port}`;
  await until("the API to answer", async () => (await fetch(`${base}/health`).catch(() => null))?.ok ?? false, 30_000);

  const quotePath = `/v1/quote?kind=bridge&from=bttc&to=ethereum&amount=${parseEther("5")}`;
  const check = await (await fetch(`${base}${quotePath}`)).json();
  const one = await (await fetch(`${base}/v1/transfers/${ids[0]}`)).json();
  console.log("quote:", JSON.stringify(check), "\ntransfer status:", (one as { status: string }).status);

  const run = async (name: string, requests: Parameters<typeof autocannon>[0]["requests"]) => {
    // A short warm-up (JIT, connections), then the measured run.
    await autocannon({ url: base, connections: CONNECTIONS, duration: 3, requests });
    const r = await autocannon({ url: base, connections: CONNECTIONS, duration: DURATION_S, requests });
    const summary = {
      requestsPerSecond: Math.round(r.requests.average),
      p50LatencyMs: r.latency.p50,
      p99LatencyMs: r.latency.p99,
      maxLatencyMs: r.latency.max,
      requests: r["2xx"] + r.non2xx,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
    };
    console.log(name, JSON.stringify(summary));
    return summary;
  };
  let next = 0;
  const byId = await run("GET /v1/transfers/:id", [
    { method: "GET", setupRequest: (req) => ({ ...req, path: `/v1/transfers/${ids[next++ % ids.length]}` }) },
  ]);
  const quote = await run("GET /v1/quote", [{ method: "GET", path: quotePath }]);

  const results = {
    transfersById: byId,
    quote,
    target: { requestsPerSecond: 5000, p99LatencyMs: 20, met: byId.requestsPerSecond >= 5000 && byId.p99LatencyMs <= 20 },
    details: {
      machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version, loadAverage1mAtEnd: loadavg()[0] },
      notes: [
        "The machine is shared: other workers were running builds and tests at the same time, so numbers vary from run to run.",
        "The rate limit was raised to 10^9 requests per minute for the run (default 600 per client per minute).",
        "API: its own Node.js process (node api/main.ts), logging at warn; load: autocannon in the benchmark process.",
      ],
      setup: {
        records: RECORDS,
        connections: CONNECTIONS,
        durationSeconds: DURATION_S,
        warmupSeconds: 3,
        statusLookup:
          "GET /v1/transfers/:id rotating over all seeded ids (each a completed transfer with a 5-entry timeline): one Redis round trip (HGETALL + LRANGE)",
        quote: "GET /v1/quote bridge BTTC→Ethereum; route, status read from the chain at most every 2 s (chainCacheMs)",
      },
    },
  };
  mkdirSync(join(root, "bench", "results"), { recursive: true });
  writeFileSync(join(root, "bench", "results", "api.json"), JSON.stringify(results, null, 2) + "\n");
  console.log("wrote bench/results/api.json");
} finally {
  if (api && api.exitCode === null) {
    const exited = new Promise((resolve) => api!.once("exit", resolve));
    api.kill("SIGTERM");
    await exited;
  }
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(workDir, { recursive: true, force: true });
}
