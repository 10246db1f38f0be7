// The API's unsigned transactions under each chain's rules (docs/api.md, "Building transactions"): on
// BTTC, a Berlin chain that refuses EIP-1559 transactions, a bridge step carries `type: 0` and a
// `gasPrice`, and signing and broadcasting it as given gets it mined; a type-2 transaction is refused
// there. On Ethereum (Prague) the steps carry no fee fields, and a wallet sends them as EIP-1559 — unless
// the chain's configuration says `fees: {"type": "legacy"}`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Wallet, parseEther, parseUnits } from "ethers";
import { Redis } from "ioredis";
import { buildApi } from "../../api/server.ts";
import type { App } from "../../api/context.ts";
import { startApiWorld, type ApiWorld } from "../../testkit/api-world.ts";
import { devAccount } from "../../testkit/relayer-cluster.ts";
import { testRedisUrl } from "../../testkit/redis.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

interface StepsBody {
  steps: { action: string; transaction: Record<string, string | number | undefined> }[];
}

describe("API transactions under each chain's fee rules", { timeout: 180_000 }, () => {
  let world: ApiWorld;
  let app: App;
  let redis: Redis;
  const user = devAccount(6);

  before(async () => {
    world = await startApiWorld("api-legacy-fees");
    redis = new Redis(testRedisUrl());
    app = await buildApi(world.config, { redis });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    redis?.disconnect();
    await world?.stop();
  });

  async function post<T>(url: string, payload: unknown): Promise<{ status: number; body: T }> {
    const res = await app.inject({ method: "POST", url, payload: payload as Record<string, unknown> });
    return { status: res.statusCode, body: res.json() };
  }

  /** Signs a step the way a wallet does (fields as given, the rest filled in from the chain). */
  async function sign(name: "bttc" | "ethereum", t: StepsBody["steps"][number]["transaction"]): Promise<string> {
    const wallet = user.connect(world.chains[name].provider);
    const fees = t.gasPrice === undefined ? {} : { type: Number(t.type), gasPrice: BigInt(t.gasPrice) };
    return wallet.signTransaction(
      await wallet.populateTransaction({
        to: String(t.to),
        data: String(t.data),
        value: BigInt(t.value!),
        chainId: BigInt(t.chainId!),
        ...fees,
      }),
    );
  }

  it("BTTC runs Berlin rules: its blocks carry no base fee", async () => {
    assert.equal((await world.chains.bttc.provider.getBlock("latest"))?.baseFeePerGas, null);
  });

  it("builds a BTTC bridge as a legacy transaction (type 0, gasPrice) that is mined once signed and broadcast", async () => {
    const amount = parseEther("2");
    const { status, body } = await post<StepsBody>("/v1/bridge", {
      from: "bttc",
      to: "ethereum",
      amount: amount.toString(),
      sender: user.address,
      recipient: user.address,
    });
    assert.equal(status, 200, JSON.stringify(body));
    const tx = body.steps[0]!.transaction;
    assert.equal(tx.type, 0);
    assert.ok(BigInt(tx.gasPrice!) > 0n);
    assert.equal(tx.maxFeePerGas, undefined);

    const gateway = world.chains.bttc.gateway.target as string;
    const locked = await world.chains.bttc.provider.getBalance(gateway);
    const sent = await post<{ txHash: string }>("/v1/broadcast", { chain: "bttc", signedTransaction: await sign("bttc", tx) });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const receipt = await world.chains.bttc.provider.waitForTransaction(sent.body.txHash, 1, 30_000);
    assert.equal(receipt?.status, 1);
    assert.equal((await world.chains.bttc.provider.getTransaction(sent.body.txHash))?.type, 0);
    assert.equal(await world.chains.bttc.provider.getBalance(gateway), locked + amount);
  });

  it("a type-2 transaction to BTTC is refused", async () => {
    const provider = world.chains.bttc.provider;
    const signed = await user.signTransaction({
      type: 2,
      chainId: CHAIN_IDS.bttc,
      to: user.address,
      value: 1n,
      nonce: await provider.getTransactionCount(user.address, "pending"),
      gasLimit: 21_000n,
      maxFeePerGas: parseUnits("100", "gwei"),
      maxPriorityFeePerGas: parseUnits("1", "gwei"),
    });
    const { status, body } = await post<{ error: { code: string } }>("/v1/broadcast", { chain: "bttc", signedTransaction: signed });
    assert.equal(status, 422, JSON.stringify(body));
    assert.equal(body.error.code, "BROADCAST_REJECTED");
  });

  it("leaves Ethereum's steps to EIP-1559: no fee fields, and a wallet sends them as type 2", async () => {
    const legacy = world.chains.ethereum.legacy!;
    await (
      await legacy.connect(devAccount(0).connect(world.chains.ethereum.provider)).getFunction("mint")(user.address, 10n ** 18n)
    ).wait();
    const { status, body } = await post<StepsBody>("/v1/swaps", {
      from: "ethereum",
      amount: "5000",
      sender: user.address,
      recipient: Wallet.createRandom().address,
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(
      body.steps.map((s) => s.action),
      ["approve", "redenominate"],
    );
    for (const step of body.steps) {
      assert.equal(step.transaction.type, undefined);
      assert.equal(step.transaction.gasPrice, undefined);
    }
    const sent = await post<{ txHash: string }>("/v1/broadcast", {
      chain: "ethereum",
      signedTransaction: await sign("ethereum", body.steps[0]!.transaction),
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal((await world.chains.ethereum.provider.waitForTransaction(sent.body.txHash, 1, 30_000))?.status, 1);
    assert.equal((await world.chains.ethereum.provider.getTransaction(sent.body.txHash))?.type, 2);
  });

  it("gives Ethereum's steps a gasPrice too where its configuration says legacy", async () => {
    const config = {
      ...world.config,
      chains: world.config.chains.map((c) => (c.name === "ethereum" ? { ...c, fees: { type: "legacy" as const } } : c)),
    };
    const legacyApp = await buildApi(config, { redis });
    try {
      await legacyApp.ready();
      const res = await legacyApp.inject({
        method: "POST",
        url: "/v1/swaps",
        payload: { from: "ethereum", amount: "5000", sender: user.address, recipient: user.address },
      });
      assert.equal(res.statusCode, 200, res.body);
      const steps = res.json<StepsBody>().steps;
      assert.ok(steps.length > 0);
      for (const step of steps) {
        assert.equal(step.transaction.type, 0);
        assert.ok(BigInt(step.transaction.gasPrice!) > 0n);
      }
    } finally {
      await legacyApp.close();
    }
  });
});
