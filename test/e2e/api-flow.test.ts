// Through the API alone, as a wallet would: quote, build, sign with ethers, broadcast, follow to
// `completed` (three relayer nodes, threshold 2, real `hardhat node` chains and Redis), find it in the
// history; and on TRON: build the swap deposit, sign with TronWeb, broadcast, see the deposit land on the
// development node. (Relaying TRON swaps is another part's work.)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NonceManager, Wallet, parseEther } from "ethers";
import { Redis } from "ioredis";
import { pino } from "pino";
import type { App } from "../../api/context.ts";
import { parseApiConfig } from "../../api/config.ts";
import { buildApi } from "../../api/server.ts";
import { hardhatAccounts, HARDHAT_MNEMONIC } from "../../devnet/tron/genesis.ts";
import { startTestNode, tokenBalance, type SignedTransaction, type TestNode } from "../../devnet/tron/testing.ts";
import type { RelayerNode } from "../../relayer/node.ts";
import { testRedisUrl } from "../../testkit/redis.ts";
import { devAccount, startCluster, until, type Cluster, type NodeSpec } from "../../testkit/relayer-cluster.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

interface TransferJson {
  id: string;
  status: string;
  amount: string;
  timeline: { status: string; txHash: string | null }[];
}

describe("a user's transfers through the API alone", { timeout: 300_000 }, () => {
  let cluster: Cluster;
  let specs: NodeSpec[];
  const relayers: RelayerNode[] = [];
  let tron: TestNode;
  let redis: Redis;
  let app: App;
  const depositAddress = hardhatAccounts(HARDHAT_MNEMONIC, 10)[9]!.base58;

  before(async () => {
    cluster = await startCluster({
      label: "api-flow",
      chains: [
        { name: "bttc", chainId: CHAIN_IDS.bttc, role: "bttc" },
        { name: "ethereum", chainId: CHAIN_IDS.ethereum, role: "remote" },
      ],
      validatorCount: 3,
      threshold: 2,
      mineEveryMs: 200,
    });
    specs = await cluster.nodeSpecs("node", ["n1", "n2", "n3"]);
    for (const spec of specs) relayers.push(await cluster.startNode(spec, cluster.nodeConfig(spec, specs)));
    tron = await startTestNode();
    redis = new Redis(testRedisUrl());
    const followed = specs[1]!;
    const config = parseApiConfig({
      port: 0,
      redisUrl: testRedisUrl(),
      keyPrefix: followed.prefix,
      chains: [
        ...[...cluster.chains.values()].map((c) => ({
          name: c.name,
          family: "evm",
          role: c.role,
          chainId: c.chainId.toString(),
          rpcUrl: c.node.url,
          gateway: c.gateway.target as string,
          finality: { confirmations: 2 },
          blockTimeMs: 200,
        })),
        { name: "tron", family: "tron", chainId: String(CHAIN_IDS.tron), fullHost: tron.node.url, depositAddress, solidityDepth: 3 },
      ],
      relayers: specs.map((s) => ({ id: s.id, url: `http://127.0.0.1:${s.port}` })),
      chainCacheMs: 0,
    });
    app = await buildApi(config, { redis, logger: pino({ level: "silent" }) });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    redis?.disconnect();
    for (const relayer of relayers) await relayer.stop();
    await tron?.node.close();
    await cluster?.stop();
  });

  async function call<T>(method: "GET" | "POST", url: string, payload?: Record<string, unknown>): Promise<T> {
    const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
    assert.ok(res.statusCode === 200, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json<T>();
  }

  it("bridges BTT from BTTC to Ethereum: quote, build, sign, broadcast, completed, in the history", async () => {
    const user = devAccount(6).connect(cluster.chain("bttc").provider);
    const recipient = Wallet.createRandom().address;
    const amount = parseEther("4");

    const quote = await call<{ amountOut: string; fee: string }>("GET", `/v1/quote?kind=bridge&from=bttc&to=ethereum&amount=${amount}`);
    assert.equal(quote.amountOut, amount.toString()); // the cluster's routes have no fee

    const built = await call<{ steps: { transaction: { to: string; data: string; value: string; chainId: string } }[] }>(
      "POST",
      "/v1/bridge",
      {
        from: "bttc",
        to: "ethereum",
        amount: amount.toString(),
        sender: user.address,
        recipient,
      },
    );
    assert.equal(built.steps.length, 1);
    const { to, data, value, chainId } = built.steps[0]!.transaction;
    const signed = await user.signTransaction(await user.populateTransaction({ to, data, value: BigInt(value), chainId: BigInt(chainId) }));
    const { txHash } = await call<{ txHash: string }>("POST", "/v1/broadcast", { chain: "bttc", signedTransaction: signed });

    const [found] = await until(
      "the transfer to show by its source transaction",
      async () => {
        const page = await call<{ transfers: TransferJson[] }>("GET", `/v1/transfers?srcTx=${txHash}`);
        return page.transfers.length > 0 && page.transfers;
      },
      60_000,
    );
    const done = await until(
      "the transfer to complete",
      async () => {
        const t = await call<TransferJson>("GET", `/v1/transfers/${found!.id}`);
        return t.status === "completed" && t;
      },
      120_000,
      250,
    );
    assert.equal(done.amount, amount.toString());
    assert.equal(done.timeline[0]!.txHash, txHash);
    assert.match(done.timeline.at(-1)!.txHash ?? "", /^0x[0-9a-f]{64}$/, "the delivery's transaction hash is in the timeline");
    assert.equal(await cluster.chain("ethereum").gateway.getFunction("balanceOf")(recipient), amount);

    const history = await call<{ transfers: TransferJson[] }>("GET", `/v1/transfers?address=${recipient}`);
    assert.deepEqual(
      history.transfers.map((t) => t.id),
      [done.id],
    );
    const sent = await call<{ transfers: TransferJson[] }>("GET", `/v1/transfers?address=${user.address}&chain=ethereum`);
    assert.ok(sent.transfers.some((t) => t.id === done.id));

    const stats = await call<{ invariant: { holds: boolean; bridge: { locked: string; minted: string; inFlight: string } } }>(
      "GET",
      "/v1/stats",
    );
    assert.equal(stats.invariant.holds, true);
    assert.deepEqual(stats.invariant.bridge, {
      locked: amount.toString(),
      minted: amount.toString(),
      inFlight: "0",
      surplus: "0",
      holds: true,
    });
    const health = await call<{ ok: boolean; relayers: Record<string, { ok: boolean }> }>("GET", "/health");
    assert.deepEqual(Object.keys(health.relayers), ["n1", "n2", "n3"]);
    assert.equal(health.ok, true);
  });

  it("GET /v1/stats: concurrent calls while transfers are sent and delivered all see the invariant hold", async () => {
    const sender = new NonceManager(devAccount(7).connect(cluster.chain("bttc").provider));
    const gateway = cluster.chain("bttc").gateway.connect(sender);
    const ethereumId = cluster.chain("ethereum").chainId;
    const recipient = Wallet.createRandom().address;
    const answers: Promise<{ statusCode: number; body: string }>[] = [];
    let sending = true;
    // Stats requests overlapping one another, every 25 ms, for as long as transfers are being sent.
    const asker = (async () => {
      while (sending) {
        answers.push(app.inject({ method: "GET", url: "/v1/stats" }).then((r) => ({ statusCode: r.statusCode, body: r.body })));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const amount = parseEther("1");
    for (let i = 0; i < 8; i++) {
      await gateway.getFunction("bridge")(ethereumId, recipient, { value: amount });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await until(
      "every transfer delivered",
      async () => (await cluster.chain("ethereum").gateway.getFunction("balanceOf")(recipient)) === 8n * amount,
      120_000,
      250,
    );
    sending = false;
    await asker;
    const results = await Promise.all(answers);
    assert.ok(results.length > 50, `${results.length} stats answers`);
    for (const r of results) {
      assert.equal(r.statusCode, 200, r.body);
      const body = JSON.parse(r.body) as { invariant: { holds: boolean } };
      assert.equal(body.invariant.holds, true, r.body);
    }
    const final = await until(
      "the deliveries to be final",
      async () => {
        const stats = await call<{ invariant: { holds: boolean; bridge: { inFlight: string } } }>("GET", "/v1/stats");
        return stats.invariant.bridge.inFlight === "0" && stats;
      },
      30_000,
      250,
    );
    assert.equal(final.invariant.holds, true);
  });

  it("swaps on TRON: the deposit built by the API, signed with TronWeb, broadcast by the API, lands at the deposit address", async () => {
    const account = tron.accounts[3]!;
    const client = tron.client(account);
    const recipient = Wallet.createRandom().address;
    const before = tokenBalance(await client.trx.getAccount(depositAddress));

    const built = await call<{
      quote: { amountOut: string };
      steps: { memo: string; transaction: Parameters<typeof client.trx.sign>[0] }[];
    }>("POST", "/v1/swaps", { from: "tron", amount: "1500000", sender: account.base58, recipient });
    assert.equal(built.quote.amountOut, (1_500_000n * 10n ** 15n).toString());
    const signed = (await client.trx.sign(built.steps[0]!.transaction)) as SignedTransaction;
    const { txHash } = await call<{ txHash: string }>("POST", "/v1/broadcast", {
      chain: "tron",
      signedTransaction: signed as unknown as Record<string, unknown>,
    });
    assert.equal(txHash, signed.txID);
    tron.node.mine(4); // in a block, and solidified (3 deep)

    assert.equal(tokenBalance(await client.trx.getAccount(depositAddress)), before + 1_500_000);
    const onChain = await client.trx.getTransaction(signed.txID);
    assert.equal(Buffer.from(onChain.raw_data.data as string, "hex").toString("utf8"), built.steps[0]!.memo);
    const info = await client.trx.getTransactionInfo(signed.txID);
    assert.equal(info.fee, 1_000_000, "TRON charged the 1 TRX memo fee the quote stated");

    // Broadcasting it again is refused by the node, with the node's reason, as a 4xx.
    const again = await app.inject({
      method: "POST",
      url: "/v1/broadcast",
      payload: { chain: "tron", signedTransaction: signed as unknown as Record<string, unknown> },
    });
    assert.equal(again.statusCode, 422, again.body);
    assert.equal(again.json<{ error: { code: string } }>().error.code, "BROADCAST_REJECTED");
  });

  // Last: it stops relayer nodes.
  it("GET /health: one relayer node down is reported but still ready; fewer healthy than the threshold is 503", async () => {
    interface Health {
      ok: boolean;
      relayers: Record<string, { ok: boolean }>;
      relayerQuorum: { ok: boolean; healthy: number; threshold: number | null };
    }
    const all = await app.inject({ method: "GET", url: "/health" });
    assert.equal(all.statusCode, 200, all.body);
    assert.deepEqual(all.json<Health>().relayerQuorum, {
      ok: true,
      healthy: 3,
      threshold: 2,
      detail: "3 of 3 relayer nodes healthy, 2 needed",
    });
    await relayers[2]!.stop();
    const one = await app.inject({ method: "GET", url: "/health" });
    assert.equal(one.statusCode, 200, one.body);
    const oneDown = one.json<Health>();
    assert.deepEqual(Object.fromEntries(Object.entries(oneDown.relayers).map(([id, c]) => [id, c.ok])), { n1: true, n2: true, n3: false });
    assert.equal(oneDown.ok, true);
    assert.equal(oneDown.relayerQuorum.healthy, 2);
    await relayers[1]!.stop();
    const two = await app.inject({ method: "GET", url: "/health" });
    assert.equal(two.statusCode, 503, two.body);
    const twoDown = two.json<Health>();
    assert.equal(twoDown.ok, false);
    assert.deepEqual(twoDown.relayerQuorum, {
      ok: false,
      healthy: 1,
      threshold: 2,
      detail: "1 of 3 relayer nodes healthy, 2 needed: deliveries cannot be signed",
    });
  });
});
