// The whole local testnet, in order: ports, Redis, contracts compiled, three EVM chains, the TRON
// development node, contracts deployed and funded, three relayer nodes (threshold 2), the API. Each
// step reports how long it took; a failure names the part and why, and stops what had started.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { relayerIdentities, hardhatAccount, DEMO_ACCOUNT_COUNT, tronDepositWallet } from "./accounts.ts";
import { devnetEvmChains } from "./chains.ts";
import { writeApiConfig, writeDevnetInfo, writeRelayerConfigs, type DevnetInfo, type TronInput } from "./configs.ts";
import { deployDevnet } from "./deploy.ts";
import type { DevnetOptions } from "./options.ts";
import { stopLeftovers } from "./leftovers.ts";
import { assertPortsFree } from "./ports.ts";
import { ProcessGroup, type ManagedProcess } from "./processes.ts";
import { ensureRedis, wipePrefix } from "./redis.ts";
import { buildWebIfStale, startWeb, webOrigins } from "./web.ts";
import { fundDepositAccount, tronBase58, tronNodeArgs, tronReady, TRON_SOLIDITY_DEPTH } from "./tron-setup.ts";
import { DEVNET_CHAIN_IDS } from "../common/chains/registry.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const THRESHOLD = 2;

export interface Progress {
  step(what: string): void;
  done(what: string, ms: number): void;
  warn(message: string): void;
}

export interface RunningDevnet {
  info: DevnetInfo;
  infoFile: string;
  /** Stops every part, the last started first. */
  stop(): Promise<void>;
  /** Resolves (with the reason) when a part the devnet cannot run without exits on its own. */
  failed: Promise<string>;
}

async function timed<T>(progress: Progress, what: string, work: () => Promise<T>): Promise<T> {
  progress.step(what);
  const started = Date.now();
  const result = await work();
  progress.done(what, Date.now() - started);
  return result;
}

/** One JSON-RPC call to a chain that may not be up yet (no provider to set up and tear down). */
async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await response.json()) as { result: T }).result;
}

async function httpOk(url: string): Promise<boolean> {
  return (await fetch(url)).ok;
}

/**
 * Starts the devnet. `onStopper` receives, before anything starts, what stops every part started so far:
 * the caller's Ctrl-C handler uses it, so that a Ctrl-C during start-up leaves nothing running either.
 */
export async function startDevnet(
  o: DevnetOptions,
  progress: Progress,
  env: NodeJS.ProcessEnv,
  onStopper: (stop: () => Promise<void>) => void = () => {},
): Promise<RunningDevnet> {
  const dataDir = resolve(root, o.dataDir);
  const logDir = join(dataDir, "logs");
  mkdirSync(logDir, { recursive: true });
  const chains = devnetEvmChains(o);
  const identities = relayerIdentities(3);

  let reportFailure: (reason: string) => void = () => {};
  const failed = new Promise<string>((resolveFailure) => (reportFailure = resolveFailure));
  const essential = new Set<string>();
  const group = new ProcessGroup(dataDir, (part: ManagedProcess, code, signal) => {
    const how = `exited (${code ?? signal}); its log: ${part.logFile}`;
    if (essential.has(part.name)) reportFailure(`${part.name} ${how}`);
    else progress.warn(`${part.name} ${how}`);
  });
  onStopper(() => group.stopAll());
  // The parts' environment: the caller's, with the project's tools (and the Node 22 npm installs) first.
  const partEnv = { ...env, PATH: `${join(root, "node_modules", ".bin")}:${env.PATH ?? ""}` };
  const node = process.execPath;

  try {
    const leftovers = await stopLeftovers(dataDir);
    if (leftovers.length > 0) progress.warn(`stopped what an earlier devnet left running: ${leftovers.join(", ")}`);
    await timed(progress, "ports free", () =>
      assertPortsFree(
        o.host,
        [
          ...chains.map((c) => ({ port: c.port, what: `${c.name} JSON-RPC`, flag: `--${c.name}-port` })),
          { port: o.tronPort, what: "TRON development node", flag: "--tron-port" },
          ...identities.map((r, i) => ({ port: o.relayerPort + i, what: `relayer ${r.id}`, flag: "--relayer-port" })),
          { port: o.apiPort, what: "HTTP API", flag: "--api-port" },
          { port: o.webPort, what: "web app", flag: "--web-port" },
        ],
        leftovers.length > 0 ? 10_000 : 0,
      ),
    );
    const redis = await timed(progress, "Redis", async () => {
      const found = await ensureRedis(o.redisUrl, group, root, env);
      if (found.own) essential.add("redis");
      await wipePrefix(found.url, o.redisPrefix);
      return found;
    });
    await timed(progress, "contracts compiled", () =>
      group.run("build", join(root, "node_modules", ".bin", "hardhat"), ["build", "--quiet"], partEnv, root),
    );
    await buildWebIfStale(root, group, partEnv, (what, work) => timed(progress, what, work));

    await timed(progress, `chains ${chains.map((c) => `${c.name} :${c.port}`).join(", ")}`, async () => {
      const parts = chains.map((c) => {
        essential.add(`chain-${c.name}`);
        return group.start(
          `chain-${c.name}`,
          join(root, "node_modules", ".bin", "hardhat"),
          ["--network", c.network, "node", "--hostname", o.host, "--port", String(c.port), "--chain-id", c.chainId.toString()],
          partEnv,
          root,
        );
      });
      await Promise.all(
        parts.map((part, i) =>
          group.waitReady(part, async () => BigInt(await rpc<string>(chains[i]!.rpcUrl, "eth_chainId")) === chains[i]!.chainId, 90_000),
        ),
      );
      if (o.blockTimeMs !== 1_000) await Promise.all(chains.map((c) => rpc(c.rpcUrl, "evm_setIntervalMining", [o.blockTimeMs])));
    });

    const tronUrl = `http://${o.host}:${o.tronPort}`;
    const deposit = tronDepositWallet();
    await timed(progress, `TRON development node :${o.tronPort}`, async () => {
      essential.add("tron");
      const part = group.start(
        "tron",
        node,
        [join(root, "devnet", "tron", "main.ts"), ...tronNodeArgs(o.host, o.tronPort, o.blockTimeMs)],
        partEnv,
        root,
      );
      await group.waitReady(part, () => tronReady(tronUrl), 30_000);
      await fundDepositAccount(tronUrl, deposit.address);
    });

    const deployed = await timed(progress, "contracts deployed and funded", () =>
      deployDevnet(
        chains,
        identities.map((r) => r.attestation.address),
        THRESHOLD,
      ),
    );

    const tron: TronInput = {
      chainId: DEVNET_CHAIN_IDS.tron,
      fullHost: tronUrl,
      depositAddress: tronBase58(deposit.address),
      depositKey: deposit.privateKey,
      solidityDepth: TRON_SOLIDITY_DEPTH,
      blockTimeMs: o.blockTimeMs,
    };
    const relayers = writeRelayerConfigs({
      tron,
      dataDir,
      host: o.host,
      redisUrl: redis.url,
      redisPrefix: o.redisPrefix,
      relayerPort: o.relayerPort,
      chains,
      deployed,
      identities,
    });
    const relayerParts = await timed(
      progress,
      `relayer nodes ${relayers.map((r) => `${r.id} :${new URL(r.url).port}`).join(", ")}`,
      async () => {
        const parts = relayers.map((r) =>
          group.start(`relayer-${r.id}`, node, [join(root, "relayer", "main.ts"), "--config", r.file], partEnv, root),
        );
        await Promise.all(parts.map((part, i) => group.waitReady(part, () => httpOk(`${relayers[i]!.url}/health`), 60_000)));
        return parts;
      },
    );

    const apiUrl = `http://${o.host}:${o.apiPort}`;
    await timed(progress, `API :${o.apiPort}`, async () => {
      const file = writeApiConfig({
        dataDir,
        host: o.host,
        port: o.apiPort,
        redisUrl: redis.url,
        followPrefix: relayers[0]!.keyPrefix,
        blockTimeMs: o.blockTimeMs,
        chains,
        deployed,
        relayers,
        tron,
        corsOrigins: webOrigins(o.host, o.webPort),
      });
      const part = group.start("api", node, [join(root, "api", "main.ts"), "--config", file], partEnv, root);
      await group.waitReady(part, () => httpOk(`${apiUrl}/v1/chains`), 60_000);
    });
    const info: DevnetInfo = {
      startedAt: new Date().toISOString(),
      api: { url: apiUrl, docs: `${apiUrl}/docs` },
      redis: { url: redis.url, prefix: o.redisPrefix },
      threshold: THRESHOLD,
      chains: {
        ...Object.fromEntries(
          deployed.map((d) => {
            const c = chains.find((x) => x.name === d.name)!;
            return [
              d.name,
              {
                family: "evm",
                chainId: d.chainId.toString(),
                rpcUrl: c.rpcUrl,
                gateway: d.gateway,
                timelock: d.timelock,
                ...(d.token ? { token: d.token } : {}),
                ...(d.legacyToken ? { legacyToken: d.legacyToken, legacyDecimals: d.legacyDecimals! } : {}),
              },
            ];
          }),
        ),
        tron: {
          family: "tron",
          chainId: DEVNET_CHAIN_IDS.tron.toString(),
          fullHost: tronUrl,
          depositAddress: tron.depositAddress,
          token: "1002000",
        },
      },
      relayers: relayers.map((r, i) => ({
        id: r.id,
        url: r.url,
        signer: identities[i]!.attestation.address,
        payer: identities[i]!.payer.address,
        config: r.file,
        keyPrefix: r.keyPrefix,
        ...(relayerParts[i]!.child.pid !== undefined ? { pid: relayerParts[i]!.child.pid } : {}),
      })),
      accounts: Array.from({ length: DEMO_ACCOUNT_COUNT }, (_, index) => {
        const wallet = hardhatAccount(index);
        return { index, address: wallet.address, tronAddress: tronBase58(wallet.address), privateKey: wallet.privateKey };
      }),
      processes: { devnet: process.pid, ...group.pids() },
    };
    const web = await timed(progress, `web app :${o.webPort}`, () => startWeb(root, o.host, o.webPort, info));
    info.web = { url: web.url };
    const infoFile = writeDevnetInfo(dataDir, info);
    return { info, infoFile, stop: () => web.close().then(() => group.stopAll()), failed };
  } catch (error) {
    await group.stopAll();
    throw error;
  }
}
