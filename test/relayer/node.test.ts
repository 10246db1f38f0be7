// A relayer node process against two real `hardhat node` chains and real Redis: it watches both chains,
// records what becomes final, answers /health and /metrics, and stops cleanly on SIGTERM.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { NonceManager, Wallet, parseEther, type Contract } from "ethers";
import { pino } from "pino";
import { deployChain } from "../../deploy/bridge.ts";
import { createEvmProvider } from "../../common/rpc/evm-provider.ts";
import { parseRelayerConfig, type RelayerConfig } from "../../relayer/config.ts";
import { RelayerNode } from "../../relayer/node.ts";
import { freePort, startHardhatNode, type HardhatNode } from "../../testkit/hardhat-node.ts";
import { connectTestRedis, testRedisUrl, type TestRedis } from "../../testkit/redis.ts";
import { validatorWallets } from "../../testkit/world.ts";
import { until } from "../../testkit/wait.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../testkit/constants.ts";

const DEPLOYER_KEY = DEV_KEYS[0];
const CHAINS = { bttc: CHAIN_IDS.bttc, ethereum: CHAIN_IDS.ethereum } as const;
// Keys the node reads from its environment: a validator's attestation key, and Hardhat account #5 to pay.
const KEYS = {
  BTTB_TEST_ATTESTATION_KEY: validatorWallets(3)[0]!.privateKey,
  BTTB_TEST_PAYER_KEY: DEV_KEYS[5],
};

describe("relayer node", () => {
  const nodes: Record<string, HardhatNode> = {};
  const gateways: Record<string, Contract> = {};
  let redis: TestRedis;

  before(async () => {
    redis = await connectTestRedis("node");
    for (const [name, chainId] of Object.entries(CHAINS)) {
      const node = await startHardhatNode({ chainId });
      nodes[name] = node;
      const provider = createEvmProvider({ name, chainId, rpcUrl: node.url });
      const deployer = new NonceManager(new Wallet(DEPLOYER_KEY, provider));
      const other = name === "bttc" ? CHAINS.ethereum : CHAINS.bttc;
      const deployed = await deployChain({
        deployer,
        role: name === "bttc" ? "bttc" : "remote",
        validators: validatorWallets(3).map((w) => w.address),
        threshold: 2,
        guardian: await deployer.getAddress(),
        dailyLimit: null,
        routes: [{ dstChainId: other, fee: 0n, minAmount: 0n }],
        timelockDelay: 0n,
        homeChainId: CHAINS.bttc,
      });
      gateways[name] = deployed.gateway;
    }
  });
  after(async () => {
    await redis?.cleanup();
    for (const gateway of Object.values(gateways)) (gateway.runner?.provider as { destroy?(): void } | null)?.destroy?.();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  async function config(port: number, id: string): Promise<RelayerConfig> {
    return parseRelayerConfig({
      id,
      redisUrl: testRedisUrl(),
      keyPrefix: `${redis.prefix}${id}:`,
      attestationKey: { env: "BTTB_TEST_ATTESTATION_KEY" },
      payerKey: { env: "BTTB_TEST_PAYER_KEY" },
      http: { host: "127.0.0.1", port },
      chains: await Promise.all(
        Object.entries(CHAINS).map(async ([name, chainId]) => ({
          name,
          chainId: chainId.toString(),
          rpcUrl: nodes[name]!.url,
          gateway: await gateways[name]!.getAddress(),
          finality: { confirmations: 2 },
          pollIntervalMs: 50,
        })),
      ),
    });
  }

  it("records a transfer as finalized, and reports health and metrics", async () => {
    const port = await freePort();
    const node = new RelayerNode({ config: await config(port, "n1"), env: KEYS, log: pino({ level: "silent" }) });
    await node.start();
    try {
      const bttc = gateways.bttc!;
      const tx = await bttc.getFunction("bridge")(CHAINS.ethereum, "0x00000000000000000000000000000000000b77c1", {
        value: parseEther("5"),
      });
      const receipt = await tx.wait();
      const provider = createEvmProvider({ name: "bttc", chainId: CHAINS.bttc, rpcUrl: nodes.bttc!.url });
      await provider.send("hardhat_mine", ["0x2"]);
      provider.destroy();
      const [id] = await until("the transfer to be seen", async () => {
        const ids = await node.transfers.idsBySourceTx(receipt.hash as string);
        return ids.length > 0 && ids;
      });
      await until("finality", async () => (await node.transfers.statusOf(id!)) === "finalized");
      const record = await node.transfers.get(id!);
      assert.equal(record!.observed.transfer.amount, parseEther("5"));
      assert.equal(record!.observed.transfer.dstChainId, CHAINS.ethereum);

      const health = await until("health", async () => {
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        return response.status === 200 && ((await response.json()) as { ok: boolean; chains: Record<string, { ok: boolean }> });
      });
      assert.equal(health.ok, true);
      assert.deepEqual(Object.keys(health.chains).sort(), ["bttc", "ethereum"]);

      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /bttb_transfers\{status="finalized"\} 1\b/);
      assert.match(metrics, /bttb_chain_head_block\{chain="bttc"\} \d+/);
      assert.match(metrics, /bttb_chain_lag_blocks\{chain="ethereum"\} \d+/);
      assert.match(metrics, /bttb_transfers_stuck 0\b/);

      // A transfer peers keep refusing is parked as stuck: the operator's list and the gauge show it.
      // (This lone node cannot gather a threshold: the transfer waits in its ready set between tries.)
      await until("the transfer to be parked", () => node.transfers.markStuck(id!, "refused 20 times; still in its source chain"));
      const { stuck } = (await (await fetch(`http://127.0.0.1:${port}/v1/stuck`)).json()) as { stuck: { id: string; why: string }[] };
      assert.deepEqual(stuck, [{ id, why: "refused 20 times; still in its source chain" }]);
      assert.match(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), /bttb_transfers_stuck 1\b/);
    } finally {
      await node.stop();
    }
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`)); // nothing left listening
  });

  it("runs as a process and exits cleanly on SIGTERM", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "bttb-relayer-"));
    const file = join(dir, "relayer.json");
    const raw = await config(port, "n2");
    writeFileSync(
      file,
      JSON.stringify(raw, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
    );
    const child = spawn(process.execPath, ["relayer/main.ts", "--config", file], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...KEYS },
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    try {
      await until("the process's /health", async () => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200;
        } catch {
          return false;
        }
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 10_000))]);
      assert.equal(code, 0, output);
      assert.match(output, /relayer node stopped/);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
