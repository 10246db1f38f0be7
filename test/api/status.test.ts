// The status is the bridge's: the API's own watch of the destination gateways (real `hardhat node` chains)
// merged with the followed node's record (real Redis). A delivery nobody recorded shows as `submitted` at
// once and `completed` once final, with its transaction and signers; a reorg before finality takes it out
// again; the event stream says so; "deliver it yourself" builds a transaction any account can send, and
// refuses what cannot be delivered; a deferred payout is claimable; amounts name their tokens.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Contract, ContractFactory, Wallet, getAddress, parseEther, type InterfaceAbi } from "ethers";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { buildApi } from "../../api/server.ts";
import type { App } from "../../api/context.ts";
import {
  compareAddresses,
  gatewayDomain,
  orderBySigner,
  signBatch,
  toCompact,
  toDeliveryArgs,
  TransferKind,
  VALIDATOR_SET_UPDATE_TYPES,
  type CompactSignature,
  type Transfer,
} from "../../common/transfer.ts";
import type { ObservedTransfer } from "../../common/observed-transfer.ts";
import { TransferStore } from "../../relayer/store/transfer-store.ts";
import { startApiWorld, type ApiWorld, type EvmName } from "../../testkit/api-world.ts";
import { devAccount } from "../../testkit/relayer-cluster.ts";
import { testRedisUrl } from "../../testkit/redis.ts";
import { observedTransfer } from "../../testkit/transfer-records.ts";
import { until } from "../../testkit/wait.ts";
import { validatorWallets } from "../../testkit/world.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

interface View {
  id: string;
  status: string;
  timeline: { status: string; at: string; txHash: string | null; detail: string | null }[];
  attestation: { signatures: number; threshold: number | null; validators: number | null; signers: string[] } | null;
  delivery: { txHash: string; blockNumber: string | null; final: boolean } | null;
  waiting: { reason: string; message: string; until: string | null; actions: string[] } | null;
  claimable: { chain: string; recipient: string; amount: string } | null;
  tokens: { sent: Record<string, unknown>; received: Record<string, unknown> } | null;
}

interface SelfDelivery {
  transferId: string;
  chain: string;
  method: string;
  batchSize: number;
  signatures: number;
  threshold: number;
  signers: string[];
  transaction: { chainId: string; to: string; data: string; value: string; type?: number; gasPrice?: string };
}

describe("the bridge's status, and delivering it yourself", { timeout: 300_000 }, () => {
  let world: ApiWorld;
  let app: App;
  let redis: Redis;
  let store: TransferStore;
  const validators = validatorWallets(3); // the world's set, ascending
  let sequence = 1_000n;

  before(async () => {
    world = await startApiWorld("api-status");
    for (const chain of world.config.chains) if (chain.family === "evm") chain.deliveryPollMs = 100;
    world.config.eventsPollMs = 100;
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

  let address: string | undefined;
  /** The API on a port of its own, for event streams (listening once). */
  async function listening(): Promise<string> {
    address ??= await app.listen({ port: 0, host: "127.0.0.1" });
    return address;
  }

  async function view(id: string): Promise<View> {
    const res = await get<View>(`/v1/transfers/${id}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  }

  async function expectError(url: string, status: number, code: string): Promise<string> {
    const res = await get<{ error: { code: string; message: string } }>(url);
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.error.code, code, JSON.stringify(res.body));
    return res.body.error.message;
  }

  /** A transfer to `to` recorded by the followed node as `status` (it never delivers anything here). */
  async function recorded(
    from: EvmName,
    to: EvmName,
    status: "finalized" | "pending",
    options: { amount?: bigint; kind?: TransferKind; recipient?: string } = {},
  ): Promise<ObservedTransfer> {
    const o = observedTransfer({
      srcChainId: CHAIN_IDS[from],
      srcGateway: world.chains[from].gateway.target as string,
      dstChainId: CHAIN_IDS[to],
      sequence: sequence++,
      amount: options.amount ?? parseEther("1"),
      ...(options.kind !== undefined ? { kind: options.kind } : {}),
      ...(options.recipient ? { recipient: options.recipient } : {}),
    });
    await store.observe(o, status);
    return o;
  }

  async function sign(to: EvmName, transfers: readonly Transfer[], signers = validators.slice(0, 2)): Promise<CompactSignature[]> {
    const domain = gatewayDomain(CHAIN_IDS[to], world.chains[to].gateway.target as string);
    return orderBySigner(await Promise.all(signers.map((s) => signBatch(s, domain, transfers))));
  }

  /** Delivers on `to` from a plain account (no relayer node): `deliver` for one, `deliverBatch` for more. */
  async function deliver(to: EvmName, transfers: readonly Transfer[], signatures: readonly CompactSignature[]): Promise<string> {
    const gateway = world.chains[to].gateway.connect(devAccount(9).connect(world.chains[to].provider)) as Contract;
    const { srcChainId, srcGateway, items } = toDeliveryArgs(transfers);
    const tx =
      items.length === 1
        ? await gateway.getFunction("deliver")(srcChainId, srcGateway, items[0], signatures)
        : await gateway.getFunction("deliverBatch")(srcChainId, srcGateway, items, signatures);
    const receipt = await tx.wait();
    assert.equal(receipt?.status, 1);
    return tx.hash as string;
  }

  async function mine(on: EvmName, blocks: number): Promise<void> {
    for (let i = 0; i < blocks; i++) await world.chains[on].provider.send("evm_mine", []);
  }

  const signerAddresses = validators
    .slice(0, 2)
    .map((v) => getAddress(v.address))
    .sort(compareAddresses);

  it("a delivery the followed node never made: submitted at once with its transaction and signers, completed once final", async () => {
    const o = await recorded("bttc", "ethereum", "finalized");
    const before = await view(o.id);
    assert.equal(before.status, "finalized");
    assert.equal(before.delivery, null);
    assert.equal(before.attestation, null);
    assert.equal(before.waiting?.reason, "attestation");
    assert.deepEqual(before.waiting?.actions, [], "nothing to deliver with: no signatures held");

    const txHash = await deliver("ethereum", [o.transfer], await sign("ethereum", [o.transfer]));
    const submitted = await until("the API to see the delivery", async () => {
      const v = await view(o.id);
      return v.status === "submitted" && v;
    });
    assert.equal(await store.statusOf(o.id), "finalized", "the node's record never moved");
    assert.equal(submitted.delivery?.txHash, txHash);
    assert.equal(submitted.delivery?.final, false);
    assert.deepEqual(submitted.attestation, { signatures: 2, threshold: 2, validators: 3, signers: signerAddresses });
    assert.equal(submitted.waiting?.reason, "destination_finality");
    assert.deepEqual(
      submitted.timeline.map((e) => [e.status, e.txHash]),
      [
        ["finalized", o.srcTxHash],
        ["attested", null],
        ["submitted", txHash],
      ],
    );
    const times = submitted.timeline.map((e) => Date.parse(e.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      "the timeline is in time order",
    );

    await mine("ethereum", 2); // two confirmations: final
    const done = await until("the API to see it final", async () => {
      const v = await view(o.id);
      return v.status === "completed" && v;
    });
    assert.equal(done.delivery?.final, true);
    assert.equal(done.waiting, null);
    assert.deepEqual(done.timeline.map((e) => [e.status, e.txHash]).slice(-2), [
      ["submitted", txHash],
      ["completed", txHash],
    ]);
    assert.equal(await world.chains.ethereum.gateway.getFunction("balanceOf")(o.transfer.recipient), o.transfer.amount);
    // The transfer is also found complete in the address history.
    const history = await get<{ transfers: View[] }>(`/v1/transfers?address=${o.transfer.recipient}`);
    assert.equal(history.body.transfers[0]?.status, "completed");
  });

  it("a delivery a reorg takes out before it is final disappears from the view again", async () => {
    const o = await recorded("bttc", "ethereum", "finalized");
    const provider = world.chains.ethereum.provider;
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    const txHash = await deliver("ethereum", [o.transfer], await sign("ethereum", [o.transfer]));
    const seen = await until("the API to see the delivery", async () => {
      const v = await view(o.id);
      return v.status === "submitted" && v;
    });
    assert.equal(seen.delivery?.txHash, txHash);
    assert.equal(await provider.send("evm_revert", [snapshot]), true);
    await mine("ethereum", 3); // the chain goes on without it, past where it would have been final
    const back = await until("the API to drop the reorged delivery", async () => {
      const v = await view(o.id);
      return v.status === "finalized" && v;
    });
    assert.equal(back.delivery, null);
    assert.ok(!back.timeline.some((e) => e.txHash === txHash), "no trace of the reorged delivery");
    assert.equal(await world.chains.ethereum.gateway.getFunction("balanceOf")(o.transfer.recipient), 0n);
    // And it stays out: a few more ticks later it is still not completed.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await view(o.id)).status, "finalized");
  });

  it("the event stream emits when another party delivers, though the followed node's record never changes", async () => {
    const o = await recorded("bttc", "ethereum", "finalized");
    const address = await listening();
    const controller = new AbortController();
    const res = await fetch(`${address}/v1/transfers/${o.id}/events`, { signal: controller.signal });
    const reader = res.body!.getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString("utf8");
      }
    };
    try {
      await readUntil(/event: transfer\n/);
      const txHash = await deliver("ethereum", [o.transfer], await sign("ethereum", [o.transfer]));
      await readUntil(/event: status\ndata: \{[^\n]*"status":"submitted"/);
      await mine("ethereum", 2);
      await readUntil(/event: end\n/);
      const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
        event: m[1],
        data: JSON.parse(m[2]!) as Partial<View> & { entry?: { status: string; txHash: string | null } },
      }));
      assert.equal(events[0]!.event, "transfer");
      assert.equal(events[0]!.data.status, "finalized");
      const statuses = events.filter((e) => e.event === "status").map((e) => e.data.status);
      assert.ok(statuses.includes("submitted"), JSON.stringify(statuses));
      assert.equal(statuses.at(-1), "completed");
      const last = events.filter((e) => e.event === "status").at(-1)!.data;
      assert.equal(last.delivery?.txHash, txHash);
      assert.deepEqual(last.entry, last.timeline!.at(-1));
      assert.equal(events.at(-1)!.event, "end");
      assert.equal(await store.statusOf(o.id), "finalized");
    } finally {
      controller.abort();
    }
  });

  it("the event stream emits again when a reorg takes the delivery back out", async () => {
    const o = await recorded("bttc", "ethereum", "finalized");
    const provider = world.chains.ethereum.provider;
    const address = await listening();
    const controller = new AbortController();
    const res = await fetch(`${address}/v1/transfers/${o.id}/events`, { signal: controller.signal });
    const reader = res.body!.getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString("utf8");
      }
    };
    try {
      await readUntil(/event: transfer\n/);
      const snapshot = (await provider.send("evm_snapshot", [])) as string;
      await deliver("ethereum", [o.transfer], await sign("ethereum", [o.transfer]));
      await readUntil(/event: status\ndata: \{"id":"0x[0-9a-f]{64}","status":"submitted"/);
      await provider.send("evm_revert", [snapshot]);
      await mine("ethereum", 3);
      await readUntil(/"status":"submitted".*\n\nevent: status\ndata: \{"id":"0x[0-9a-f]{64}","status":"finalized"/s);
      const statuses = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => (JSON.parse(m[2]!) as { status: string }).status);
      // The transfer; one event per new entry (attested, submitted: the view then `submitted`); then the reorg.
      assert.deepEqual(statuses, ["finalized", "submitted", "submitted", "finalized"]);
      const last = JSON.parse([...text.matchAll(/data: (.*)\n\n/g)].at(-1)![1]!) as View;
      assert.equal(last.delivery, null);
    } finally {
      controller.abort();
    }
  });

  it("GET /v1/transfers/:id/delivery: refused until attested; then a transaction any funded account sends delivers it", async () => {
    const o = await recorded("bttc", "ethereum", "finalized");
    await expectError(`/v1/transfers/${o.id}/delivery`, 409, "NOT_ATTESTED");
    await expectError(`/v1/transfers/0x${"01".repeat(32)}/delivery`, 404, "TRANSFER_NOT_FOUND");
    await expectError(`/v1/transfers/nope/delivery`, 400, "INVALID_TRANSFER_ID");
    const pending = await recorded("bttc", "ethereum", "pending");
    await expectError(`/v1/transfers/${pending.id}/delivery`, 409, "NOT_DELIVERABLE");

    // The node collected all three signatures (say): the API hands out exactly the threshold, ascending.
    await store.recordAttestation(
      { chainId: CHAIN_IDS.ethereum, gateway: world.chains.ethereum.gateway.target as string },
      [o.transfer],
      await sign("ethereum", [o.transfer], validators),
    );
    const offered = await view(o.id);
    assert.deepEqual(offered.waiting?.actions, ["deliver_yourself"]);
    assert.equal(offered.attestation?.signatures, 3);
    const { status, body } = await get<SelfDelivery>(`/v1/transfers/${o.id}/delivery`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.method, "deliver");
    assert.equal(body.batchSize, 1);
    assert.equal(body.signatures, 2);
    assert.equal(body.threshold, 2);
    assert.deepEqual(
      body.signers,
      validators.slice(0, 2).map((v) => getAddress(v.address)),
    );
    assert.equal(body.transaction.chainId, CHAIN_IDS.ethereum.toString());
    assert.equal(body.transaction.to, world.chains.ethereum.gateway.target);
    assert.equal(body.transaction.value, "0");
    assert.equal(body.transaction.type, undefined, "Ethereum takes EIP-1559: the wallet picks the fees");

    // A random account with gas, nothing to do with the bridge, sends it as is.
    const provider = world.chains.ethereum.provider;
    const stranger = Wallet.createRandom().connect(provider);
    await (
      await devAccount(8)
        .connect(provider)
        .sendTransaction({ to: stranger.address, value: parseEther("1") })
    ).wait();
    const tx = await stranger.sendTransaction({ to: body.transaction.to, data: body.transaction.data, value: 0n });
    assert.equal((await tx.wait())?.status, 1);
    assert.equal(await world.chains.ethereum.gateway.getFunction("balanceOf")(o.transfer.recipient), o.transfer.amount);
    const submitted = await until("the view to show the stranger's delivery", async () => {
      const v = await view(o.id);
      return v.delivery?.txHash === tx.hash && v;
    });
    assert.equal(submitted.status, "submitted");
    await expectError(`/v1/transfers/${o.id}/delivery`, 409, "ALREADY_DELIVERED");
    await mine("ethereum", 2);
    await until("completed", async () => (await view(o.id)).status === "completed");
    await expectError(`/v1/transfers/${o.id}/delivery`, 409, "ALREADY_DELIVERED");
  });

  it("a transfer signed in a batch: deliverBatch of exactly that batch, accepted though part of it was delivered meanwhile", async () => {
    const a = await recorded("ethereum", "bsc", "finalized");
    const b = await recorded("ethereum", "bsc", "finalized");
    const batch = [a.transfer, b.transfer];
    await store.recordAttestation(
      { chainId: CHAIN_IDS.bsc, gateway: world.chains.bsc.gateway.target as string },
      batch,
      await sign("bsc", batch),
    );
    // b is delivered alone first, by someone else.
    await deliver("bsc", [b.transfer], await sign("bsc", [b.transfer]));
    const { status, body } = await get<SelfDelivery>(`/v1/transfers/${a.id}/delivery`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.method, "deliverBatch");
    assert.equal(body.batchSize, 2);
    const sender = devAccount(10).connect(world.chains.bsc.provider);
    const receipt = await (await sender.sendTransaction({ to: body.transaction.to, data: body.transaction.data })).wait();
    assert.equal(receipt?.status, 1);
    const gateway = world.chains.bsc.gateway;
    assert.equal(await gateway.getFunction("balanceOf")(a.transfer.recipient), a.transfer.amount);
    assert.equal(await gateway.getFunction("balanceOf")(b.transfer.recipient), b.transfer.amount, "b was not paid twice");
    const skipped = receipt.logs.map((l) => gateway.interface.parseLog(l)).filter((e) => e?.name === "TransferSkipped");
    assert.deepEqual(
      skipped.map((e) => e!.args.getValue("transferId") as string),
      [b.id],
    );
  });

  it("BTTC: a legacy (type 0) transaction with a gas price; a recipient that refuses BTT gets a claimable payout, and the claim pays it", async () => {
    const hungry = await deployHungryRecipient(world);
    const amount = parseEther("2");
    const o = await recorded("ethereum", "bttc", "finalized", { kind: TransferKind.Swap, amount, recipient: hungry });
    await store.recordAttestation(
      { chainId: CHAIN_IDS.bttc, gateway: world.chains.bttc.gateway.target as string },
      [o.transfer],
      await sign("bttc", [o.transfer]),
    );
    const { status, body } = await get<SelfDelivery>(`/v1/transfers/${o.id}/delivery`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.transaction.type, 0);
    assert.ok(BigInt(body.transaction.gasPrice!) > 0n);
    const provider = world.chains.bttc.provider;
    const sender = devAccount(11).connect(provider);
    const t = body.transaction;
    const sent = await sender.sendTransaction({ to: t.to, data: t.data, type: 0, gasPrice: BigInt(t.gasPrice!), gasLimit: 500_000n });
    assert.equal((await sent.wait())?.status, 1);
    assert.equal(await provider.getBalance(hungry), 0n, "the recipient's code refused the payout");
    await mine("bttc", 2);
    const done = await until("completed with a claimable payout", async () => {
      const v = await view(o.id);
      return v.status === "completed" && v.claimable !== null && v;
    });
    assert.deepEqual(done.claimable, { chain: "bttc", recipient: hungry, amount: amount.toString() });

    const claim = await get<{ chain: string; recipient: string; amount: string; transaction: SelfDelivery["transaction"] }>(
      `/v1/claims/${hungry.toLowerCase()}`,
    );
    assert.equal(claim.status, 200, JSON.stringify(claim.body));
    assert.equal(claim.body.amount, amount.toString());
    assert.equal(claim.body.recipient, hungry);
    assert.equal(claim.body.transaction.type, 0);
    const c = claim.body.transaction;
    const claimed = await sender.sendTransaction({ to: c.to, data: c.data, type: 0, gasPrice: BigInt(c.gasPrice!) });
    assert.equal((await claimed.wait())?.status, 1);
    assert.equal(await provider.getBalance(hungry), amount, "the claim paid the recipient itself");
    await expectError(`/v1/claims/${hungry}`, 404, "NOTHING_TO_CLAIM");
    await expectError(`/v1/claims/0x1234`, 400, "INVALID_ADDRESS");
    await expectError(`/v1/claims/${hungry}?chain=ethereum`, 400, "UNKNOWN_CHAIN");
  });

  it("amounts name their tokens: BTTOLD TRC-10 1002000 from TRON, BEP-20 BTTOLD from BSC, bridged BTT, native BTT", async () => {
    const tron = await get<{ tokens: View["tokens"] }>("/v1/quote?kind=swap&from=tron&amount=2500000");
    assert.deepEqual(tron.body.tokens, {
      sent: { symbol: "BTTOLD", standard: "TRC-10", tokenId: "1002000", address: null, decimals: 6, chain: "tron" },
      received: { symbol: "BTT", standard: "native", tokenId: null, address: null, decimals: 18, chain: "bttc" },
    });
    const bsc = await get<{ tokens: View["tokens"] }>("/v1/quote?kind=swap&from=bsc&amount=7");
    assert.deepEqual(bsc.body.tokens!.sent, {
      symbol: "BTTOLD",
      standard: "BEP-20",
      tokenId: null,
      address: world.chains.bsc.legacy!.target,
      decimals: 6,
      chain: "bsc",
    });
    const eth = await get<{ tokens: View["tokens"] }>(`/v1/quote?kind=swap&from=ethereum&amount=1000`);
    assert.deepEqual(eth.body.tokens!.sent, {
      symbol: "BTTOLD",
      standard: "ERC-20",
      tokenId: null,
      address: world.chains.ethereum.legacy!.target,
      decimals: 18,
      chain: "ethereum",
    });
    const bridge = await get<{ tokens: View["tokens"] }>(`/v1/quote?kind=bridge&from=ethereum&to=bsc&amount=${parseEther("1")}`);
    assert.deepEqual(bridge.body.tokens, {
      sent: {
        symbol: "BTT",
        standard: "ERC-20",
        tokenId: null,
        address: world.chains.ethereum.gateway.target,
        decimals: 18,
        chain: "ethereum",
      },
      received: { symbol: "BTT", standard: "BEP-20", tokenId: null, address: world.chains.bsc.gateway.target, decimals: 18, chain: "bsc" },
    });
    // The same in a transfer's view: a swap from BSC to BTTC.
    const o = await recorded("bsc", "bttc", "pending", { kind: TransferKind.Swap });
    const v = await view(o.id);
    assert.equal(v.tokens?.sent.standard, "BEP-20");
    assert.equal(v.tokens?.sent.symbol, "BTTOLD");
    assert.equal(v.tokens?.received.standard, "native");
    assert.equal(v.waiting?.reason, "source_finality");
  });

  it("a transfer over the daily limit waits as daily_limit, until when the bucket refills enough", async () => {
    const provider = world.chains.bttc.provider;
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    try {
      // A cap of 10 BTT (the guardian lowers it), 6 of it paid out: about 4 available, refilling at 10 per day.
      const gateway = world.chains.bttc.gateway.connect(devAccount(0).connect(provider)) as Contract;
      await (await gateway.getFunction("lowerDailyLimit")(parseEther("10"), { type: 0 })).wait();
      const paid = await recorded("ethereum", "bttc", "finalized", { kind: TransferKind.Swap, amount: parseEther("6") });
      await deliver("bttc", [paid.transfer], await sign("bttc", [paid.transfer]));

      const amount = parseEther("5");
      const o = await recorded("ethereum", "bttc", "finalized", { amount, kind: TransferKind.Swap });
      await store.transition(o.id, "delayed", { detail: "not sent: daily limit" });
      const v = await view(o.id);
      const status = (await world.chains.bttc.gateway.getFunction("status")()) as { dailyLimit: bigint; dailyLimitAvailable: bigint };
      assert.equal(v.status, "delayed");
      assert.equal(v.waiting?.reason, "daily_limit");
      // Units of 10^9 wei short, refilled at cap per 86,400 s, rounded up to the second.
      const unit = 10n ** 9n;
      const missing = amount / unit - status.dailyLimitAvailable / unit;
      const seconds = Number((missing * 86_400n + status.dailyLimit / unit - 1n) / (status.dailyLimit / unit));
      assert.ok(seconds > 8_000 && seconds < 9_000, `about 1 BTT short at 10 a day: ${seconds} s`);
      const until_ = Date.parse(v.waiting.until!);
      assert.ok(Math.abs(until_ - (Date.now() + seconds * 1000)) < 5_000, `${v.waiting.until} vs ${seconds} s from now`);

      const over = await recorded("ethereum", "bttc", "finalized", { amount: parseEther("11"), kind: TransferKind.Swap });
      await store.transition(over.id, "delayed", { detail: "not sent: daily limit" });
      const overView = await view(over.id);
      assert.equal(overView.waiting?.reason, "daily_limit");
      assert.equal(overView.waiting?.until, null);
      assert.match(overView.waiting.message, /whole daily limit/);
    } finally {
      await provider.send("evm_revert", [snapshot]);
    }
  });

  it("a transfer the node lists as stuck says so, and why", async () => {
    const o = await recorded("bttc", "ethereum", "finalized");
    assert.equal(await store.markStuck(o.id, "peers refused it 5 times: UNKNOWN_TRANSFER"), true);
    const v = await view(o.id);
    assert.equal(v.waiting?.reason, "stuck");
    assert.match(v.waiting.message, /UNKNOWN_TRANSFER/);
  });

  // Last: it changes Ethereum's validator set (on a snapshot, reverted after).
  it("signatures of an old validator set are refused: 409 NOT_ATTESTED", async () => {
    const o = await recorded("bttc", "ethereum", "finalized");
    await store.recordAttestation(
      { chainId: CHAIN_IDS.ethereum, gateway: world.chains.ethereum.gateway.target as string },
      [o.transfer],
      await sign("ethereum", [o.transfer]),
    );
    assert.equal((await get(`/v1/transfers/${o.id}/delivery`)).status, 200);
    const provider = world.chains.ethereum.provider;
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    try {
      const next = validatorWallets(3, "rotated");
      const nextSet = next.map((w) => w.address);
      const deadline = 4_000_000_000n;
      const domain = gatewayDomain(CHAIN_IDS.ethereum, world.chains.ethereum.gateway.target as string);
      const signatures = orderBySigner(
        await Promise.all(
          validators.slice(0, 2).map(async (w) => ({
            signer: w.address,
            signature: toCompact(
              await w.signTypedData(domain, VALIDATOR_SET_UPDATE_TYPES, { epoch: 1n, validators: nextSet, threshold: 2, deadline }),
            ),
          })),
        ),
      );
      const gateway = world.chains.ethereum.gateway.connect(devAccount(9).connect(provider)) as Contract;
      await (await gateway.getFunction("updateValidatorSet")(nextSet, 2, deadline, signatures)).wait();
      const message = await expectError(`/v1/transfers/${o.id}/delivery`, 409, "NOT_ATTESTED");
      assert.match(message, /older set/);
      assert.deepEqual((await view(o.id)).waiting?.actions, [], "no deliver-it-yourself offered with an old set's signatures");
    } finally {
      await provider.send("evm_revert", [snapshot]);
    }
  });
});

/** Deploys a GasHungryRecipient on BTTC that needs more gas than a payout gives it: its payouts are deferred. */
async function deployHungryRecipient(world: ApiWorld): Promise<string> {
  const path = new URL("../../artifacts/contracts/mocks/HostileRecipients.sol/GasHungryRecipient.json", import.meta.url);
  const artifact = JSON.parse(readFileSync(path, "utf8")) as { abi: InterfaceAbi; bytecode: string };
  const deployer = devAccount(12).connect(world.chains.bttc.provider);
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, deployer);
  const contract = await factory.deploy(100_000n, { type: 0 });
  await contract.waitForDeployment();
  return getAddress(await contract.getAddress());
}
