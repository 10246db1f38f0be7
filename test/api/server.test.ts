// The API against real chains (three `hardhat node`s with the bridge deployed, the TRON development
// node) and a relayer node's records in real Redis: each route's answers and error shapes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Interface, Wallet, parseEther } from "ethers";
import { Redis } from "ioredis";
import { TronWeb } from "tronweb";
import { signedToken } from "../../devnet/tron/testing.ts";
import { buildApi } from "../../api/server.ts";
import { ChainRegistry } from "../../api/chains/registry.ts";
import { checkHealth } from "../../api/health.ts";
import type { App } from "../../api/context.ts";
import { TransferKind } from "../../common/transfer.ts";
import { TransferStore } from "../../relayer/store/transfer-store.ts";
import { WORLD_RULES, startApiWorld, type ApiWorld } from "../../testkit/api-world.ts";
import { devAccount } from "../../testkit/relayer-cluster.ts";
import { testRedisUrl } from "../../testkit/redis.ts";
import { startFlakyRpc } from "../../testkit/flaky-rpc.ts";
import { observedTransfer } from "../../testkit/transfer-records.ts";
import { until } from "../../testkit/wait.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

describe("HTTP API routes", { timeout: 180_000 }, () => {
  let world: ApiWorld;
  let app: App;
  let redis: Redis;
  let store: TransferStore;
  const user = devAccount(5);

  before(async () => {
    world = await startApiWorld("api-routes");
    redis = new Redis(testRedisUrl());
    store = new TransferStore(redis, world.keyPrefix);
    app = await buildApi(world.config, { redis });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    redis?.disconnect();
    await world?.stop();
  });

  async function get<T>(url: string): Promise<{ status: number; body: T }> {
    const res = await app.inject({ method: "GET", url });
    return { status: res.statusCode, body: res.json() };
  }

  async function post<T>(url: string, payload: unknown): Promise<{ status: number; body: T }> {
    const res = await app.inject({ method: "POST", url, payload: payload as Record<string, unknown> });
    return { status: res.statusCode, body: res.json() };
  }

  async function expectError(res: Promise<{ status: number; body: unknown }>, status: number, code: string): Promise<string> {
    const { status: got, body } = await res;
    assert.equal(got, status, JSON.stringify(body));
    const error = (body as ErrorBody).error;
    assert.equal(error.code, code, JSON.stringify(body));
    assert.ok(error.message.length > 0);
    return error.message;
  }

  describe("GET /v1/chains", () => {
    it("lists every chain with ids, addresses, finality, caps and the routes' fees read from the gateways", async () => {
      const { status, body } = await get<{ chains: Record<string, unknown>[] }>("/v1/chains");
      assert.equal(status, 200);
      assert.deepEqual(
        body.chains.map((c) => c.name),
        ["bttc", "ethereum", "bsc", "tron"],
      );
      const bttc = body.chains[0]!;
      assert.equal(bttc.chainId, String(CHAIN_IDS.bttc));
      assert.equal(bttc.gateway, world.chains.bttc.gateway.target);
      assert.equal(bttc.dailyLimit, WORLD_RULES.bttcDailyLimit.toString());
      assert.equal(bttc.finality, "2 blocks deep");
      assert.deepEqual(bttc.routes, [
        { to: "ethereum", fee: WORLD_RULES.fee.toString(), minAmount: WORLD_RULES.minAmount.toString() },
        { to: "bsc", fee: WORLD_RULES.fee.toString(), minAmount: WORLD_RULES.minAmount.toString() },
      ]);
      const eth = body.chains[1]!;
      assert.equal(eth.bridgedToken, world.chains.ethereum.gateway.target);
      assert.equal(eth.legacyToken, world.chains.ethereum.legacy!.target);
      assert.equal(eth.dailyLimit, ((1n << 256n) - 1n).toString());
      const tron = body.chains[3]!;
      assert.equal(tron.depositAddress, world.depositAddress);
      assert.equal(tron.legacyToken, "1002000");
    });
  });

  describe("GET /v1/quote", () => {
    it("quotes a bridge transfer with the route's fee taken from the amount", async () => {
      const amount = parseEther("5");
      const { status, body } = await get<Record<string, unknown>>(`/v1/quote?kind=bridge&from=bttc&to=ethereum&amount=${amount}`);
      assert.equal(status, 200);
      assert.equal(body.amountIn, amount.toString());
      assert.equal(body.fee, WORLD_RULES.fee.toString());
      assert.equal(body.amountOut, (amount - WORLD_RULES.fee).toString());
      assert.equal(body.minimum, WORLD_RULES.minAmount.toString());
      assert.equal(body.expectedSeconds, 2 + 5 + 2);
      assert.equal(body.delayedBy, null);
    });

    it("quotes swaps at 1:1000 scaled by decimals, with TRON's memo fee stated", async () => {
      const eth = await get<Record<string, unknown>>("/v1/quote?kind=swap&from=ethereum&amount=1000");
      assert.equal(eth.status, 200);
      assert.equal(eth.body.amountOut, "1000000"); // 18-decimal BTTOLD: 1 unit -> 1,000 wei
      assert.equal(eth.body.to, "bttc");
      assert.equal(eth.body.fee, "0");
      const bsc = await get<Record<string, unknown>>("/v1/quote?kind=swap&from=bsc&to=bttc&amount=7");
      assert.equal(bsc.body.amountOut, (7n * 10n ** 15n).toString()); // 6 decimals: 1 unit -> 10^15 wei
      const tron = await get<Record<string, unknown>>("/v1/quote?kind=swap&from=tron&amount=2500000");
      assert.equal(tron.status, 200);
      assert.equal(tron.body.amountOut, (2_500_000n * 10n ** 15n).toString());
      assert.deepEqual(
        (tron.body.networkFees as { amount: string; unit: string }[]).map((f) => [f.amount, f.unit]),
        [["1000000", "sun"]],
      );
      assert.equal(tron.body.expectedSeconds, 9 + 5 + 2);
    });

    it("refuses what the gateways would refuse, with stable codes", async () => {
      await expectError(
        get(`/v1/quote?kind=bridge&from=bttc&to=ethereum&amount=${WORLD_RULES.minAmount - 1n}`),
        422,
        "AMOUNT_BELOW_MINIMUM",
      );
      await expectError(get(`/v1/quote?kind=bridge&from=bttc&to=ethereum&amount=${WORLD_RULES.fee}`), 422, "AMOUNT_NOT_ABOVE_FEE");
      await expectError(
        get(`/v1/quote?kind=bridge&from=ethereum&to=bttc&amount=${WORLD_RULES.bttcDailyLimit * 2n}`),
        422,
        "AMOUNT_OVER_CAP",
      );
      await expectError(get("/v1/quote?kind=swap&from=ethereum&amount=999"), 422, "AMOUNT_BELOW_MINIMUM");
      await expectError(get("/v1/quote?kind=swap&from=tron&amount=4"), 422, "AMOUNT_BELOW_MINIMUM");
      await expectError(get("/v1/quote?kind=swap&from=bttc&amount=5"), 422, "ROUTE_UNAVAILABLE");
      await expectError(get("/v1/quote?kind=swap&from=bsc&to=ethereum&amount=5"), 422, "ROUTE_UNAVAILABLE");
      await expectError(get("/v1/quote?kind=bridge&from=tron&to=bttc&amount=5"), 422, "ROUTE_UNAVAILABLE");
      await expectError(get("/v1/quote?kind=bridge&from=bttc&to=bttc&amount=500000000000000000"), 422, "ROUTE_UNAVAILABLE");
    });

    it("refuses malformed amounts and unknown chains as 400s", async () => {
      const base = "/v1/quote?kind=bridge&from=bttc&to=ethereum&amount=";
      await expectError(get(`${base}0`), 400, "AMOUNT_ZERO");
      await expectError(get(`${base}000`), 400, "AMOUNT_ZERO");
      await expectError(get(`${base}-5`), 400, "AMOUNT_NEGATIVE");
      await expectError(get(`${base}1.5`), 400, "AMOUNT_FRACTIONAL");
      await expectError(get(`${base}1e18`), 400, "INVALID_AMOUNT");
      await expectError(get(`${base}abc`), 400, "INVALID_AMOUNT");
      await expectError(get(`${base}${1n << 256n}`), 400, "AMOUNT_TOO_LARGE");
      await expectError(get(`${base}${"9".repeat(500)}`), 400, "AMOUNT_TOO_LARGE");
      const ok = await get<Record<string, unknown>>(`${base}${(1n << 256n) - 1n}`);
      assert.equal(ok.status, 200, "2^256 − 1 is a valid amount (Ethereum has no cap)");
      assert.equal(ok.body.amountOut, ((1n << 256n) - 1n - WORLD_RULES.fee).toString());
      await expectError(get("/v1/quote?kind=bridge&from=solana&to=ethereum&amount=5"), 400, "UNKNOWN_CHAIN");
      await expectError(get("/v1/quote?kind=teleport&from=bttc&to=ethereum&amount=5"), 400, "VALIDATION_FAILED");
      await expectError(get("/v1/quote?kind=bridge&from=bttc&to=ethereum"), 400, "VALIDATION_FAILED");
    });
  });

  describe("POST /v1/bridge", () => {
    it("builds a BTTC lock with the amount as value, which a wallet can send as is", async () => {
      const recipient = Wallet.createRandom().address;
      const amount = parseEther("2");
      const { status, body } = await post<{ steps: { action: string; transaction: Record<string, string> }[] }>("/v1/bridge", {
        from: "bttc",
        to: "ethereum",
        amount: amount.toString(),
        sender: user.address,
        recipient,
      });
      assert.equal(status, 200);
      assert.equal(body.steps.length, 1);
      const tx = body.steps[0]!.transaction;
      assert.equal(body.steps[0]!.action, "bridge");
      assert.deepEqual(
        [tx.chainId, tx.to, tx.value, tx.from],
        [String(CHAIN_IDS.bttc), world.chains.bttc.gateway.target, amount.toString(), user.address],
      );
      const call = world.chains.bttc.gateway.interface.parseTransaction({ data: tx.data! })!;
      assert.equal(call.name, "bridge");
      assert.deepEqual([...call.args], [CHAIN_IDS.ethereum, recipient]);
    });

    it("builds a remote burn, and refuses a sender without the bridged BTT", async () => {
      const message = await expectError(
        post("/v1/bridge", {
          from: "ethereum",
          to: "bsc",
          amount: parseEther("1").toString(),
          sender: user.address,
          recipient: user.address,
        }),
        422,
        "INSUFFICIENT_BALANCE",
      );
      assert.match(message, /holds 0/);
    });

    it("refuses bad addresses, zero recipients, malformed JSON and wrong types with 4xx codes", async () => {
      const good = { from: "bttc", to: "ethereum", amount: parseEther("1").toString(), sender: user.address, recipient: user.address };
      await expectError(post("/v1/bridge", { ...good, recipient: "0x1234" }), 400, "INVALID_ADDRESS");
      await expectError(post("/v1/bridge", { ...good, recipient: "0x" + "0".repeat(40) }), 400, "INVALID_ADDRESS");
      await expectError(post("/v1/bridge", { ...good, sender: user.address.toLowerCase().replace("0x", "0X") }), 400, "INVALID_ADDRESS");
      await expectError(post("/v1/bridge", { ...good, amount: 1.5 }), 400, "INVALID_AMOUNT");
      await expectError(post("/v1/bridge", { ...good, to: "mars" }), 400, "UNKNOWN_CHAIN");
      const broken = await app.inject({
        method: "POST",
        url: "/v1/bridge",
        headers: { "content-type": "application/json" },
        payload: '{"from": "bttc", ',
      });
      assert.equal(broken.statusCode, 400);
      assert.equal(broken.json<ErrorBody>().error.code, "MALFORMED_JSON");
      const poisoned = await app.inject({
        method: "POST",
        url: "/v1/bridge",
        headers: { "content-type": "application/json" },
        payload: '{"__proto__": {"x": 1}}',
      });
      assert.equal(poisoned.statusCode, 400);
      const text = await app.inject({ method: "POST", url: "/v1/bridge", headers: { "content-type": "text/plain" }, payload: "hello" });
      assert.equal(text.statusCode, 415);
      assert.equal(text.json<ErrorBody>().error.code, "UNSUPPORTED_MEDIA_TYPE");
    });
  });

  describe("POST /v1/swaps", () => {
    it("from an EVM chain: approve (while the allowance is short), then redenominate", async () => {
      const legacy = world.chains.ethereum.legacy!;
      await (
        await legacy.connect(devAccount(0).connect(world.chains.ethereum.provider)).getFunction("mint")(user.address, 10n ** 18n)
      ).wait();
      const recipient = Wallet.createRandom().address;
      const { status, body } = await post<{
        quote: Record<string, string>;
        steps: { action: string; transaction: Record<string, string> }[];
      }>("/v1/swaps", {
        from: "ethereum",
        amount: "5000",
        sender: user.address,
        recipient,
      });
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(
        body.steps.map((s) => s.action),
        ["approve", "redenominate"],
      );
      assert.equal(body.quote.amountOut, "5000000");
      const approve = new Interface(["function approve(address,uint256)"]).parseTransaction({ data: body.steps[0]!.transaction.data! })!;
      assert.deepEqual([...approve.args], [world.chains.ethereum.gateway.target, 5000n]);
      assert.equal(body.steps[0]!.transaction.to, legacy.target);
      // Once approved, one step is left.
      await (
        await legacy.connect(user.connect(world.chains.ethereum.provider)).getFunction("approve")(
          world.chains.ethereum.gateway.target,
          5000n,
        )
      ).wait();
      const again = await post<{ steps: { action: string }[] }>("/v1/swaps", {
        from: "ethereum",
        amount: "5000",
        sender: user.address,
        recipient,
      });
      assert.deepEqual(
        again.body.steps.map((s) => s.action),
        ["redenominate"],
      );
      await expectError(
        post("/v1/swaps", { from: "ethereum", amount: (10n ** 18n + 1n).toString(), sender: user.address, recipient }),
        422,
        "INSUFFICIENT_BALANCE",
      );
    });

    it("from an EVM chain with a permit instead of the approval: offered, signed, checked, sent", async () => {
      const holder = devAccount(7).connect(world.chains.ethereum.provider);
      const legacy = world.chains.ethereum.legacy!;
      await (
        await legacy.connect(devAccount(0).connect(world.chains.ethereum.provider)).getFunction("mint")(holder.address, 10n ** 18n)
      ).wait();
      const recipient = Wallet.createRandom().address;
      const ask = { from: "ethereum", amount: "4000", sender: holder.address, recipient };
      type Offer = {
        domain: Record<string, string>;
        types: Record<string, { name: string; type: string }[]>;
        message: Record<string, string>;
      };
      const first = await post<{ permit: Offer | null; steps: { action: string }[] }>("/v1/swaps", ask);
      assert.equal(first.status, 200);
      assert.deepEqual(
        first.body.steps.map((s) => s.action),
        ["approve", "redenominate"],
      );
      const offer = first.body.permit!;
      assert.equal(offer.message.spender, world.chains.ethereum.gateway.target);
      assert.equal(offer.message.value, "4000");
      const signature = await holder.signTypedData(offer.domain, offer.types, offer.message);

      const stranger = await Wallet.createRandom().signTypedData(offer.domain, offer.types, offer.message);
      await expectError(
        post("/v1/swaps", { ...ask, permit: { deadline: offer.message.deadline, signature: stranger } }),
        400,
        "INVALID_PERMIT",
      );
      await expectError(
        post("/v1/swaps", { ...ask, amount: "4001", permit: { deadline: offer.message.deadline, signature } }),
        400,
        "INVALID_PERMIT",
      );
      await expectError(post("/v1/swaps", { ...ask, permit: { deadline: "1", signature } }), 400, "INVALID_PERMIT");
      await expectError(
        post("/v1/swaps", { ...ask, permit: { deadline: offer.message.deadline, signature: "0x1234" } }),
        400,
        "INVALID_PERMIT",
      );

      const withPermit = await post<{ permit: unknown; steps: { action: string; transaction: Record<string, string> }[] }>("/v1/swaps", {
        ...ask,
        permit: { deadline: offer.message.deadline, signature },
      });
      assert.equal(withPermit.status, 200, JSON.stringify(withPermit.body));
      assert.equal(withPermit.body.steps.length, 1);
      assert.equal(withPermit.body.permit, null);
      const t = withPermit.body.steps[0]!.transaction;
      assert.equal(world.chains.ethereum.gateway.interface.parseTransaction({ data: t.data! })!.name, "redenominateWithPermit");
      const signed = await holder.signTransaction(
        await holder.populateTransaction({ to: t.to, data: t.data, value: BigInt(t.value!), chainId: BigInt(t.chainId!) }),
      );
      const sent = await post<{ txHash: string }>("/v1/broadcast", { chain: "ethereum", signedTransaction: signed });
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      const receipt = await world.chains.ethereum.provider.waitForTransaction(sent.body.txHash);
      assert.equal(receipt!.status, 1);
      assert.equal(await legacy.getFunction("balanceOf")(holder.address), 10n ** 18n - 4000n);
      const [, , legacyReceived] = await world.chains.ethereum.gateway.getFunction("accounting")();
      assert.equal(legacyReceived, 4000n);
    });

    it("from TRON: an unsigned TRC-10 1002000 deposit with the swap memo, built by the node", async () => {
      const sender = world.tron.accounts[2]!.base58;
      const recipient = Wallet.createRandom().address;
      const { status, body } = await post<{
        steps: {
          family: string;
          memo: string;
          transaction: { txID: string; raw_data: { data: string; contract: { parameter: { value: Record<string, unknown> } }[] } };
        }[];
      }>("/v1/swaps", { from: "tron", amount: "3000000", sender, recipient });
      assert.equal(status, 200, JSON.stringify(body));
      const step = body.steps[0]!;
      assert.equal(step.family, "tron");
      assert.match(step.memo, new RegExp(`^BTTC:${recipient}:[0-9a-f]{8}$`));
      assert.equal(Buffer.from(step.transaction.raw_data.data, "hex").toString("utf8"), step.memo);
      const value = step.transaction.raw_data.contract[0]!.parameter.value;
      assert.equal(value.amount, 3000000);
      assert.equal(Buffer.from(value.asset_name as string, "hex").toString(), "1002000");
      await expectError(post("/v1/swaps", { from: "tron", amount: "3000000", sender: user.address, recipient }), 400, "INVALID_ADDRESS");
      const nobody = TronWeb.address.fromPrivateKey(Wallet.createRandom().privateKey.slice(2)) as string;
      await expectError(post("/v1/swaps", { from: "tron", amount: "3000000", sender: nobody, recipient }), 422, "INSUFFICIENT_BALANCE");
      // An account with BTTOLD and no TRX cannot pay the memo fee.
      const noTrx = TronWeb.address.fromPrivateKey(Wallet.createRandom().privateKey.slice(2)) as string;
      const funding = await signedToken(world.tron.client(world.tron.accounts[4]!), noTrx, 10_000_000);
      assert.equal((await world.tron.tronWeb.trx.sendRawTransaction(funding)).result, true);
      world.tron.node.mine();
      const message = await expectError(
        post("/v1/swaps", { from: "tron", amount: "3000000", sender: noTrx, recipient }),
        422,
        "INSUFFICIENT_BALANCE",
      );
      assert.match(message, /memo fee/);
      await expectError(post("/v1/swaps", { from: "tron", amount: (1n << 60n).toString(), sender, recipient }), 400, "AMOUNT_TOO_LARGE");
    });
  });

  describe("POST /v1/broadcast", () => {
    it("refuses what is not a signed transaction for that chain", async () => {
      await expectError(post("/v1/broadcast", { chain: "bttc", signedTransaction: "0xdeadbeef" }), 400, "INVALID_TRANSACTION");
      await expectError(post("/v1/broadcast", { chain: "bttc", signedTransaction: "hello" }), 400, "INVALID_TRANSACTION");
      const wallet = Wallet.createRandom();
      const forEthereum = await wallet.signTransaction({
        to: wallet.address,
        value: 1n,
        chainId: CHAIN_IDS.ethereum,
        nonce: 0,
        gasLimit: 21000n,
        gasPrice: 1n,
      });
      await expectError(post("/v1/broadcast", { chain: "bttc", signedTransaction: forEthereum }), 400, "WRONG_CHAIN");
      const unfunded = await wallet.signTransaction({
        to: wallet.address,
        value: 1n,
        chainId: CHAIN_IDS.bttc,
        nonce: 0,
        gasLimit: 21000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
      });
      await expectError(post("/v1/broadcast", { chain: "bttc", signedTransaction: unfunded }), 422, "BROADCAST_REJECTED");
      await expectError(post("/v1/broadcast", { chain: "tron", signedTransaction: forEthereum }), 400, "INVALID_TRANSACTION");
      await expectError(
        post("/v1/broadcast", {
          chain: "tron",
          signedTransaction: { txID: "00".repeat(32), raw_data: {}, raw_data_hex: "0a", signature: ["11".repeat(65)] },
        }),
        400,
        "INVALID_TRANSACTION",
      );
    });
  });

  describe("transfers", () => {
    const sender = Wallet.createRandom().address;
    const ids: string[] = [];
    const srcTxHash = `0x${"ab".repeat(32)}`;

    before(async () => {
      const t0 = Date.now() - 60_000;
      for (let i = 0; i < 5; i++) {
        const o = observedTransfer({
          srcChainId: CHAIN_IDS.bttc,
          srcGateway: world.chains.bttc.gateway.target as string,
          dstChainId: i % 2 === 0 ? CHAIN_IDS.ethereum : CHAIN_IDS.bsc,
          sequence: BigInt(i + 1),
          sender,
          amount: parseEther(String(i + 1)),
          fee: WORLD_RULES.fee,
          ...(i === 4 ? { srcTxHash } : {}),
        });
        await store.observe(o, "pending", t0 + i * 1000);
        ids.push(o.id);
      }
      await store.observe((await store.get(ids[0]!))!.observed, "finalized", t0 + 10_000);
      await store.transition(ids[0]!, "attested", { at: t0 + 11_000, detail: "2 signatures" });
      await store.transition(ids[0]!, "submitted", { at: t0 + 12_000, txHash: `0x${"cd".repeat(32)}` });
      await store.transition(ids[0]!, "completed", { at: t0 + 13_000, txHash: `0x${"cd".repeat(32)}` });
      const swap = observedTransfer({
        srcChainId: CHAIN_IDS.bsc,
        srcGateway: world.chains.bsc.gateway.target as string,
        dstChainId: CHAIN_IDS.bttc,
        sequence: 1n,
        sender,
        kind: TransferKind.Swap,
        amount: 7n * 10n ** 15n,
        legacyAmount: 7n,
      });
      await store.observe(swap, "pending", t0 + 20_000);
      await store.transition(swap.id, "rejected", { at: t0 + 21_000, detail: "test" });
      ids.push(swap.id);
    });

    it("GET /v1/transfers/:id: status, timeline with times and hashes, signatures so far", async () => {
      const { status, body } = await get<Record<string, unknown>>(`/v1/transfers/${ids[0]}`);
      assert.equal(status, 200);
      assert.equal(body.status, "completed");
      assert.equal(body.kind, "bridge");
      assert.equal(body.signatures, 2);
      assert.equal(body.amount, parseEther("1").toString());
      assert.equal(body.fee, WORLD_RULES.fee.toString());
      assert.deepEqual((body.source as Record<string, string>).chain, "bttc");
      assert.deepEqual((body.destination as Record<string, string>).chain, "ethereum");
      const timeline = body.timeline as { status: string; at: string; txHash: string | null }[];
      assert.deepEqual(
        timeline.map((e) => e.status),
        ["pending", "finalized", "attested", "submitted", "completed"],
      );
      assert.equal(timeline[4]!.txHash, `0x${"cd".repeat(32)}`);
      assert.ok(!Number.isNaN(Date.parse(timeline[0]!.at)));
      const swap = await get<Record<string, unknown>>(`/v1/transfers/${ids[5]!.toUpperCase().replace("0X", "0x")}`);
      assert.equal(swap.body.status, "rejected");
      assert.equal(swap.body.legacyAmount, "7");
      assert.equal(swap.body.kind, "swap");
    });

    it("GET /v1/transfers/:id errors: malformed id 400, unknown 404", async () => {
      await expectError(get("/v1/transfers/0x1234"), 400, "INVALID_TRANSFER_ID");
      await expectError(get(`/v1/transfers/0x${"00".repeat(32)}`), 404, "TRANSFER_NOT_FOUND");
    });

    it("history of an address: newest first, in pages by cursor, filtered by chain; lookup by source tx", async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { status: number; body: { transfers: { id: string }[]; nextCursor: string | null } } = await get(
          `/v1/transfers?address=${sender.toLowerCase()}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        );
        assert.equal(page.status, 200);
        seen.push(...page.body.transfers.map((t) => t.id));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.deepEqual(seen, [ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]]);
      const bsc = await get<{ transfers: { id: string }[] }>(`/v1/transfers?address=${sender}&chain=bsc`);
      assert.deepEqual(
        bsc.body.transfers.map((t) => t.id),
        [ids[5], ids[3], ids[1]],
      );
      const byTx = await get<{ transfers: { id: string }[] }>(`/v1/transfers?srcTx=${srcTxHash.slice(2).toUpperCase()}`);
      assert.deepEqual(
        byTx.body.transfers.map((t) => t.id),
        [ids[4]],
      );
      await expectError(get("/v1/transfers"), 400, "MISSING_FILTER");
      await expectError(get(`/v1/transfers?address=${sender}&cursor=bm9wZQ`), 400, "INVALID_CURSOR");
      await expectError(get("/v1/transfers?address=0xnothex"), 400, "INVALID_ADDRESS");
      await expectError(get(`/v1/transfers?address=${sender}&chain=pluto`), 400, "UNKNOWN_CHAIN");
    });

    it("GET /v1/transfers/:id/events: the transfer, each status change, then end", async () => {
      const o = observedTransfer({
        srcChainId: CHAIN_IDS.ethereum,
        srcGateway: world.chains.ethereum.gateway.target as string,
        dstChainId: CHAIN_IDS.bttc,
        sequence: 99n,
      });
      await store.observe(o, "pending");
      const address = await app.listen({ port: 0, host: "127.0.0.1" });
      const controller = new AbortController();
      const res = await fetch(`${address}/v1/transfers/${o.id}/events`, { signal: controller.signal });
      assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
      const reader = res.body!.getReader();
      let text = "";
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) break;
          text += Buffer.from(value).toString("utf8");
        }
      };
      await readUntil(/event: transfer\n/);
      await store.observe(o, "finalized");
      await readUntil(/"status":"finalized"/);
      await store.transition(o.id, "completed", { txHash: `0x${"ee".repeat(32)}` });
      await readUntil(/event: end\n/);
      const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => [
        m[1],
        (JSON.parse(m[2]!) as { status?: string }).status,
      ]);
      assert.deepEqual(events, [
        ["transfer", "pending"],
        ["status", "finalized"],
        ["status", "completed"],
        ["end", undefined],
      ]);
      const { done } = await reader.read();
      assert.equal(done, true, "the stream closes after a final status");
      controller.abort();
      await expectError(get(`/v1/transfers/0x${"01".repeat(32)}/events`), 404, "TRANSFER_NOT_FOUND");
    });

    it("GET /v1/transfers/:id/events ends cleanly when the client goes away", async () => {
      const o = observedTransfer({
        srcChainId: CHAIN_IDS.ethereum,
        srcGateway: world.chains.ethereum.gateway.target as string,
        dstChainId: CHAIN_IDS.bttc,
        sequence: 100n,
      });
      await store.observe(o, "pending");
      const address = app.listeningOrigin;
      const openStreams = async () => {
        const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
        return Number(/^bttb_api_event_streams (\d+)$/m.exec(text)?.[1]);
      };
      const controller = new AbortController();
      const res = await fetch(`${address}/v1/transfers/${o.id}/events`, { signal: controller.signal });
      const reader = res.body!.getReader();
      await reader.read(); // the first event
      assert.equal(await openStreams(), 1);
      controller.abort();
      await until("the stream to be closed on the server", async () => (await openStreams()) === 0, 10_000, 50);
    });
  });

  describe("stats, health, metrics, docs", () => {
    it("GET /v1/stats: locked, minted and in flight from the chains, and the invariant", async () => {
      // Lock 3 BTT on BTTC for Ethereum: nothing delivered, so all of it is in flight.
      const gateway = world.chains.bttc.gateway.connect(devAccount(6).connect(world.chains.bttc.provider));
      await (await gateway.getFunction("bridge")(CHAIN_IDS.ethereum, user.address, { value: parseEther("3") })).wait();
      const early = await get<{ chains: { chain: string; inFlight: { transfers: number } }[]; invariant: { holds: boolean } }>("/v1/stats");
      assert.equal(
        early.body.chains.find((c) => c.chain === "bttc")!.inFlight.transfers,
        0,
        "not final yet (2 confirmations): not counted",
      );
      assert.equal(early.body.invariant.holds, true);
      await world.chains.bttc.provider.send("hardhat_mine", ["0x2"]);
      const { status, body } = await get<{
        chains: Record<string, unknown>[];
        invariant: Record<string, Record<string, unknown> | boolean>;
      }>("/v1/stats");
      assert.equal(status, 200, JSON.stringify(body));
      const bttc = body.chains.find((c) => c.chain === "bttc")!;
      const net = parseEther("3") - WORLD_RULES.fee;
      assert.equal(bttc.locked, net.toString());
      assert.deepEqual(bttc.inFlight, { bridge: net.toString(), swap: "0", transfers: 1 });
      assert.equal(bttc.feesHeld, WORLD_RULES.fee.toString());
      assert.equal(bttc.reserveBalance, WORLD_RULES.reserve.toString());
      assert.equal(body.invariant.holds, true);
      assert.deepEqual(body.invariant.bridge, { locked: net.toString(), minted: "0", inFlight: net.toString(), surplus: "0", holds: true });
    });

    it("GET /v1/stats: BTT forced into the BTTC gateway is a surplus shown apart, the invariant holds; a deficit breaks it", async () => {
      const provider = world.chains.bttc.provider;
      const address = await world.chains.bttc.gateway.getAddress();
      type Bridge = { locked: string; minted: string; inFlight: string; surplus: string; holds: boolean };
      const read = async () => {
        await provider.send("hardhat_mine", ["0x3"]); // read at the final block: the change must be below it
        const { status, body } = await get<{ invariant: { holds: boolean; bridge: Bridge } }>("/v1/stats");
        assert.equal(status, 200, JSON.stringify(body));
        return body.invariant;
      };
      const original = await provider.getBalance(address);
      const before = await read();
      assert.equal(before.holds, true);
      assert.equal(before.bridge.surplus, "0");
      const backed = BigInt(before.bridge.minted) + BigInt(before.bridge.inFlight);
      assert.ok(backed > 0n, "something bridged, so that a deficit can be shown");
      const forced = 12_345n; // as BTT sent by SELFDESTRUCT: no transfer, no event
      try {
        await provider.send("hardhat_setBalance", [address, "0x" + (original + forced).toString(16)]);
        const surplus = await read();
        assert.equal(surplus.holds, true, JSON.stringify(surplus));
        assert.equal(surplus.bridge.holds, true);
        assert.equal(surplus.bridge.surplus, forced.toString());
        assert.equal(surplus.bridge.minted, before.bridge.minted);
        assert.equal(surplus.bridge.inFlight, before.bridge.inFlight);

        await provider.send("hardhat_setBalance", [address, "0x" + (original - 1n).toString(16)]);
        const deficit = await read();
        assert.equal(deficit.holds, false, "a deficit is always a violation");
        assert.equal(deficit.bridge.holds, false);
        assert.equal(deficit.bridge.surplus, "0");
        // `locked` is the gateway's own counter: the BTT missing from its balance shows as its view's deficit.
        assert.equal(deficit.bridge.locked, before.bridge.locked);
        const { body } = await get<{ chains: { chain: string; deficit: string | null }[] }>("/v1/stats");
        assert.equal(body.chains.find((c) => c.chain === "bttc")?.deficit, "1");
      } finally {
        await provider.send("hardhat_setBalance", [address, "0x" + original.toString(16)]);
        await provider.send("hardhat_mine", ["0x3"]);
      }
      assert.equal((await read()).holds, true);
    });

    it("GET /v1/stats: a transfer a reorg takes out was never counted, and the invariant still holds", async () => {
      const provider = world.chains.bttc.provider;
      const before = await get<{ invariant: { holds: boolean; bridge: { locked: string; inFlight: string } } }>("/v1/stats");
      assert.equal(before.body.invariant.holds, true);
      const snapshot = (await provider.send("evm_snapshot", [])) as string;
      const gateway = world.chains.bttc.gateway.connect(devAccount(6).connect(provider));
      await (await gateway.getFunction("bridge")(CHAIN_IDS.ethereum, user.address, { value: parseEther("2") })).wait();
      const seen = await get<{ invariant: { holds: boolean } }>("/v1/stats"); // at the head, the transfer exists
      assert.equal(seen.body.invariant.holds, true);
      assert.equal(await provider.send("evm_revert", [snapshot]), true); // the reorg: the transfer's block is gone
      await provider.send("hardhat_mine", ["0x5"]);
      const after = await get<{ invariant: { holds: boolean; bridge: { locked: string; inFlight: string } } }>("/v1/stats");
      assert.equal(after.body.invariant.holds, true, JSON.stringify(after.body.invariant));
      assert.deepEqual(after.body.invariant.bridge, before.body.invariant.bridge);
    });

    it("GET /v1/stats: a call that starts while another reads its accounting sees the same snapshot", async () => {
      // BTTC's RPC behind a proxy that holds requests: the first call's accounting read on BTTC stays
      // pending while a transfer is sent and made final, and a second call starts.
      const proxy = await startFlakyRpc(world.chains.bttc.node.url);
      const config = {
        ...world.config,
        chains: world.config.chains.map((c) => (c.name === "bttc" && c.family === "evm" ? { ...c, rpcUrl: proxy.url } : c)),
      };
      const slow = await buildApi(config, { redis });
      try {
        await slow.ready();
        // A call reads BTTC with eth_call for deliveries of the transfers open towards it, then last for its
        // accounting: count them once, so as to know when the held call reaches its accounting read.
        assert.equal((await slow.inject({ method: "GET", url: "/v1/stats" })).statusCode, 200);
        proxy.resetStats();
        assert.equal((await slow.inject({ method: "GET", url: "/v1/stats" })).statusCode, 200);
        const callsPerStats = proxy.stats.methods.get("eth_call") ?? 0;
        proxy.resetStats();
        proxy.set({ kind: "delay", ms: 2_000 });
        const first = slow.inject({ method: "GET", url: "/v1/stats" });
        await until(
          "the first call to read BTTC's accounting",
          () => Promise.resolve((proxy.stats.methods.get("eth_call") ?? 0) >= callsPerStats),
          20_000,
          10,
        );
        proxy.set({ kind: "pass" });
        const gateway = world.chains.bttc.gateway.connect(devAccount(6).connect(world.chains.bttc.provider));
        await (await gateway.getFunction("bridge")(CHAIN_IDS.ethereum, user.address, { value: parseEther("1") })).wait();
        await world.chains.bttc.provider.send("hardhat_mine", ["0x2"]);
        const second = await slow.inject({ method: "GET", url: "/v1/stats" });
        for (const res of [await first, second]) {
          assert.equal(res.statusCode, 200, res.body);
          assert.equal(res.json<{ invariant: { holds: boolean } }>().invariant.holds, true, res.body);
        }
      } finally {
        await slow.close();
        await proxy.close();
      }
    });

    it("GET /health reports chains and Redis; GET /metrics is Prometheus text", async () => {
      const { status, body } = await get<{ ok: boolean; chains: Record<string, { ok: boolean }>; redis: { ok: boolean } }>("/health");
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.redis.ok, true);
      assert.deepEqual(Object.keys(body.chains), ["bttc", "ethereum", "bsc", "tron"]);
      assert.ok(Object.values(body.chains).every((c) => c.ok));
      assert.deepEqual((body as unknown as { relayerQuorum: unknown }).relayerQuorum, {
        ok: true,
        healthy: 0,
        threshold: null,
        detail: "no relayer nodes configured",
      });
      const metrics = await app.inject({ method: "GET", url: "/metrics" });
      assert.equal(metrics.statusCode, 200);
      assert.match(metrics.body, /bttb_api_requests_total\{route="\/v1\/quote",status="200"\} \d+/);
    });

    it("serves the OpenAPI document generated from the route schemas, and the UI at /docs", async () => {
      const doc = await get<{ openapi: string; paths: Record<string, Record<string, { parameters?: { name: string }[] }>> }>("/docs/json");
      assert.equal(doc.status, 200);
      assert.equal(doc.body.openapi, "3.1.0");
      for (const path of [
        "/v1/chains",
        "/v1/quote",
        "/v1/swaps",
        "/v1/bridge",
        "/v1/broadcast",
        "/v1/transfers/{id}",
        "/v1/transfers",
        "/v1/transfers/{id}/events",
        "/v1/stats",
        "/health",
      ]) {
        assert.ok(doc.body.paths[path], `${path} documented`);
      }
      assert.deepEqual(doc.body.paths["/v1/quote"]!.get!.parameters!.map((p) => p.name).sort(), ["amount", "from", "kind", "to"]);
      const ui = await app.inject({ method: "GET", url: "/docs" });
      assert.ok(ui.statusCode === 200 || ui.statusCode === 302);
    });

    it("unknown routes are 404 NOT_FOUND in the same error shape", async () => {
      await expectError(get("/v2/nothing"), 404, "NOT_FOUND");
      await expectError(post("/v1/chains", {}), 404, "NOT_FOUND");
    });
  });

  it("says 503 STORE_UNAVAILABLE, and /health says why, when the followed node's Redis is down", async () => {
    const deadRedis = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    deadRedis.on("error", () => undefined);
    const cut = await buildApi(world.config, { redis: deadRedis });
    try {
      const res = await cut.inject({ method: "GET", url: `/v1/transfers/0x${"00".repeat(32)}` });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json<ErrorBody>().error.code, "STORE_UNAVAILABLE");
      const health = await cut.inject({ method: "GET", url: "/health" });
      assert.equal(health.statusCode, 503);
      assert.equal(health.json<{ redis: { ok: boolean } }>().redis.ok, false);
    } finally {
      await cut.close();
      deadRedis.disconnect();
    }
  });

  it("lets the configured origins' pages call it (CORS), and no others", async () => {
    const open = await buildApi({ ...world.config, corsOrigins: ["https://app.example"] }, { redis });
    try {
      const preflight = await open.inject({
        method: "OPTIONS",
        url: "/v1/swaps",
        headers: {
          origin: "https://app.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
      assert.equal(preflight.statusCode, 204);
      assert.equal(preflight.headers["access-control-allow-origin"], "https://app.example");
      assert.match(String(preflight.headers["access-control-allow-methods"]), /POST/);
      const simple = await open.inject({ method: "GET", url: "/v1/chains", headers: { origin: "https://app.example" } });
      assert.equal(simple.headers["access-control-allow-origin"], "https://app.example");
      const other = await open.inject({ method: "GET", url: "/v1/chains", headers: { origin: "https://evil.example" } });
      assert.equal(other.headers["access-control-allow-origin"], undefined);
      const closed = await app.inject({ method: "GET", url: "/v1/chains", headers: { origin: "https://app.example" } });
      assert.equal(closed.headers["access-control-allow-origin"], undefined, "none by default");
    } finally {
      await open.close();
    }
  });

  /** world.config with the Ethereum chain's `legacyToken` set to `token` (or left out). */
  function withEthereumLegacyToken(token: string | undefined): typeof world.config {
    return {
      ...world.config,
      chains: world.config.chains.map((c) => {
        if (c.name !== "ethereum" || c.family !== "evm") return c;
        const rest = { ...c };
        delete rest.legacyToken;
        return token === undefined ? rest : { ...rest, legacyToken: token };
      }),
    };
  }

  it("reads each gateway's legacy token from the gateway: none configured, swaps still use the gateway's", async () => {
    const unnamed = await buildApi(withEthereumLegacyToken(undefined), { redis });
    try {
      const chains = (await unnamed.inject({ method: "GET", url: "/v1/chains" })).json<{
        chains: { name: string; legacyToken: string | null }[];
      }>();
      assert.equal(chains.chains.find((c) => c.name === "ethereum")!.legacyToken, world.chains.ethereum.legacy!.target);
      assert.equal(chains.chains.find((c) => c.name === "bttc")!.legacyToken, null);
      const res = await unnamed.inject({
        method: "POST",
        url: "/v1/swaps",
        payload: { from: "ethereum", amount: "5000", sender: devAccount(8).address, recipient: user.address },
      });
      assert.equal(res.statusCode, 422, res.body); // account 8 holds no BTTOLD: checked on the gateway's token
      assert.equal(res.json<ErrorBody>().error.code, "INSUFFICIENT_BALANCE");
    } finally {
      await unnamed.close();
    }
  });

  it("refuses to start, and /health says why, when the configuration names another legacy token than the gateway's", async () => {
    const wrongToken = Wallet.createRandom().address; // (the BSC mock has the same address: same deployer, same nonce)
    const wrong = await buildApi(withEthereumLegacyToken(wrongToken), { redis });
    try {
      await assert.rejects(
        async () => {
          await wrong.ready();
        },
        (error: Error) => error.message.includes(wrongToken) && error.message.includes("ethereum"),
      );
    } finally {
      await wrong.close();
    }
    const config = withEthereumLegacyToken(wrongToken);
    const registry = new ChainRegistry(config);
    try {
      const health = await checkHealth(config, registry, redis);
      assert.equal(health.ok, false);
      assert.equal(health.chains.ethereum!.ok, false);
      assert.match(health.chains.ethereum!.detail, /legacy token/);
      assert.equal(health.chains.bsc!.ok, true);
    } finally {
      registry.close();
    }
  });

  it("caps the event streams one client holds open (429 TOO_MANY_STREAMS), configurably", async () => {
    const o = observedTransfer({
      srcChainId: CHAIN_IDS.ethereum,
      srcGateway: world.chains.ethereum.gateway.target as string,
      dstChainId: CHAIN_IDS.bttc,
      sequence: 101n,
    });
    await store.observe(o, "pending");
    const capped = await buildApi({ ...world.config, maxEventStreamsPerClient: 2 }, { redis });
    const controllers: AbortController[] = [];
    try {
      const address = await capped.listen({ port: 0, host: "127.0.0.1" });
      const openStream = async () => {
        const controller = new AbortController();
        controllers.push(controller);
        const res = await fetch(`${address}/v1/transfers/${o.id}/events`, { signal: controller.signal });
        if (res.status === 200) await res.body!.getReader().read(); // the first event: the stream is open
        return { res, controller };
      };
      // A 404 does not hold a place.
      assert.equal((await fetch(`${address}/v1/transfers/0x${"01".repeat(32)}/events`)).status, 404);
      const first = await openStream();
      const second = await openStream();
      assert.equal(first.res.status, 200);
      assert.equal(second.res.status, 200);
      const third = await openStream();
      assert.equal(third.res.status, 429);
      const body = (await third.res.json()) as ErrorBody;
      assert.equal(body.error.code, "TOO_MANY_STREAMS");
      assert.ok(body.error.message.length > 0);
      first.controller.abort(); // one closed: a place is free again
      await until(
        "a stream to be allowed again",
        async () => {
          const next = await openStream();
          if (next.res.status === 200) return true;
          assert.equal(next.res.status, 429);
          return false;
        },
        10_000,
        50,
      );
    } finally {
      for (const c of controllers) c.abort();
      await capped.close();
    }
  });

  it("limits requests per client, configurably", async () => {
    const limited = await buildApi({ ...world.config, rateLimit: { max: 3, timeWindow: 60_000 } }, { redis });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++)
        codes.push((await limited.inject({ method: "GET", url: `/v1/transfers/0x${"00".repeat(32)}` })).statusCode);
      assert.deepEqual(codes, [404, 404, 404, 429, 429]);
      const body = (await limited.inject({ method: "GET", url: "/v1/chains" })).json<ErrorBody>();
      assert.equal(body.error.code, "RATE_LIMITED");
      const other = await limited.inject({ method: "GET", url: `/v1/transfers/0x${"00".repeat(32)}`, remoteAddress: "10.0.0.2" });
      assert.equal(other.statusCode, 404, "another client has its own budget");
    } finally {
      await limited.close();
    }
  });
});
