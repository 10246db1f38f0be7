// The watchtower's checks (watchtower/watchtower.ts, matcher.ts, delivery.ts) against real `hardhat node`
// chains with the bridge deployed and a real TRON development node: honest deliveries — batches,
// swaps from ERC-20 BTTOLD and from TRON, a transfer skipped in a batch and delivered later, a delivery
// made through another contract — raise nothing; a compromised quorum's forgeries — a forged amount, a
// forged recipient, an unknown sequence, a source not final yet, a TRON deposit whose memo names
// someone else — each raise an alarm of the right kind, naming the transfer.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Contract, parseEther, type TransactionReceipt } from "ethers";
import { pino } from "pino";
import { encodeSwapMemo } from "../../common/tron/memo.ts";
import { fromBase58, toEvmAddress } from "../../common/tron/address.ts";
import { TransferKind, addressToBytes32, sequenceToRef, transferId, type Transfer } from "../../common/transfer.ts";
import { signedToken, startTestNode, type TestNode } from "../../devnet/tron/testing.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";
import {
  account,
  bridgeFromBttc,
  deliver,
  deployForwarder,
  startWatchWorld,
  transfersOf,
  type WatchWorld,
} from "../../testkit/watchtower-world.ts";
import type { AlarmRecord } from "../../watchtower/state.ts";
import { Watchtower } from "../../watchtower/watchtower.ts";

const SHORT_RETRY = { attempts: 2, baseDelayMs: 20, maxDelayMs: 100 };

describe("watchtower checks", { timeout: 240_000 }, () => {
  let world: WatchWorld;
  let tron: TestNode;
  let depositAddress: string;
  let watchtower: Watchtower;
  let seen = 0;

  const tronConfig = () => ({
    chainId: CHAIN_IDS.tron.toString(),
    fullHost: tron.node.url,
    depositAddress,
    solidityDepth: 3,
  });

  /** Makes everything so far final (EVM 2 deep, TRON solidified 3 deep), then runs one round. */
  async function finalRound(w: Watchtower = watchtower) {
    await world.mine(3);
    tron.node.mine(5);
    return w.round();
  }

  /** The alarms raised since the last call. */
  function newAlarms(w: Watchtower = watchtower): AlarmRecord[] {
    const all = w.state.alarms;
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  }

  const idOf = (t: Transfer) => transferId(t).toLowerCase();

  before(async () => {
    world = await startWatchWorld({ reserve: parseEther("1") });
    tron = await startTestNode({ solidityDepth: 3 });
    depositAddress = tron.accounts[9]!.base58;
    watchtower = new Watchtower({ config: world.config({ tron: tronConfig() }), log: pino({ level: "silent" }), retry: SHORT_RETRY });
  });

  after(async () => {
    await watchtower?.stop();
    await tron?.node.close();
    await world?.stop();
  });

  /** A TRON deposit of `units` BTTOLD to the deposit address with a memo naming `memoRecipient`; its transfer. */
  async function tronDeposit(
    units: number,
    memoRecipient: string,
  ): Promise<{ txId: string; transfer: (recipient: string, amount: bigint) => Transfer }> {
    const client = tron.client(tron.accounts[1]!);
    const signed = await signedToken(client, depositAddress, units, encodeSwapMemo(memoRecipient));
    const result = await client.trx.sendRawTransaction(signed);
    assert.ok(result.result, `the deposit was accepted: ${JSON.stringify(result)}`);
    tron.node.mine(1);
    const txId = signed.txID;
    return {
      txId,
      transfer: (recipient, amount) => ({
        srcChainId: CHAIN_IDS.tron,
        srcGateway: addressToBytes32(toEvmAddress(fromBase58(depositAddress)!)),
        srcRef: `0x${txId}`,
        kind: TransferKind.Swap,
        dstChainId: CHAIN_IDS.bttc,
        recipient,
        amount,
      }),
    };
  }

  it("raises nothing for honest deliveries: a batch, an ERC-20 swap skipped then delivered, a TRON swap, one through a contract", async () => {
    // Two bridge transfers from BTTC to Ethereum, delivered together in one batch.
    const a = await bridgeFromBttc(world, "ethereum", account(7).address, parseEther("1"));
    const b = await bridgeFromBttc(world, "ethereum", account(8).address, parseEther("2"));
    await world.mine(3);
    await deliver(world, "ethereum", [a, b]);

    // A swap of ERC-20 BTTOLD on Ethereum: skipped while the reserve is short, delivered once it is refilled.
    const eth = world.chains.ethereum;
    const legacy = eth.legacyToken!.connect(account(0).connect(eth.provider)) as Contract;
    await (await legacy.getFunction("mint")(account(6).address, 2_000_000n)).wait();
    await (
      await (legacy.connect(account(6).connect(eth.provider)) as Contract).getFunction("approve")(eth.gateway.target, 2_000_000n)
    ).wait();
    const swapReceipt = (await (
      await (eth.gateway.connect(account(6).connect(eth.provider)) as Contract).getFunction("redenominate")(account(6).address, 2_000_000n)
    ).wait()) as TransactionReceipt;
    const [swap] = transfersOf(eth, swapReceipt);
    assert.equal(swap!.amount, parseEther("2000"));
    await world.mine(3);
    const skipped = await deliver(world, "bttc", [swap!], { batch: true });
    assert.ok(
      skipped.logs.some((l) => world.chains.bttc.gateway.interface.parseLog(l)?.name === "TransferSkipped"),
      "the swap was skipped (reserve short)",
    );
    const bttc = world.chains.bttc;
    await (
      await (bttc.gateway.connect(account(0).connect(bttc.provider)) as Contract).getFunction("fundReserve")({
        value: parseEther("5000"),
        type: 0,
      })
    ).wait();
    await deliver(world, "bttc", [swap!]);

    // A TRON swap: 3 BTTOLD units solidified, delivered as 3 × 10^15 wei.
    const deposit = await tronDeposit(3, account(4).address);
    tron.node.mine(5);
    await deliver(world, "bttc", [deposit.transfer(account(4).address, 3n * 10n ** 15n)]);

    // A bridge transfer to BNB Chain delivered through a forwarding contract (read from the call trace).
    const c = await bridgeFromBttc(world, "bsc", account(7).address, parseEther("0.5"));
    await world.mine(3);
    const forwarder = await deployForwarder(world.chains.bsc, world.chains.bsc.gateway.target as string);
    await deliver(world, "bsc", [c], { via: forwarder });

    const round = await finalRound();
    assert.deepEqual(newAlarms(), [], "no alarm");
    assert.equal(round.deliveriesChecked, 5, "a, b, the swap, the TRON swap and c were checked");
    assert.equal(round.invariantHolds, true);
    assert.equal(watchtower.state.openTransfers().size, 0, "nothing left in flight");
  });

  it("raises FIELD_MISMATCH for a forged amount and for a forged recipient", async () => {
    const real = await bridgeFromBttc(world, "ethereum", account(7).address, parseEther("1"));
    const other = await bridgeFromBttc(world, "ethereum", account(7).address, parseEther("1"));
    await world.mine(3);
    const forgedAmount = { ...real, amount: parseEther("1000") };
    const forgedRecipient = { ...other, recipient: account(13).address };
    await deliver(world, "ethereum", [forgedAmount]);
    await deliver(world, "ethereum", [forgedRecipient]);
    await finalRound();
    const alarms = newAlarms();
    const forAmount = alarms.find((a) => a.transferId === idOf(real));
    const forRecipient = alarms.find((a) => a.transferId === idOf(other));
    assert.equal(forAmount?.kind, "FIELD_MISMATCH");
    assert.match(forAmount.message, /amount 1000000000000000000000 \(source 1000000000000000000\)/);
    assert.equal(forRecipient?.kind, "FIELD_MISMATCH");
    assert.match(forRecipient.message, new RegExp(`recipient ${account(13).address}`));
    assert.ok(
      alarms.some((a) => a.kind === "INVARIANT_BROKEN"),
      "1,000 BTT minted on Ethereum against 1 locked: the invariant broke too",
    );
    assert.equal((await watchtower.metrics.invariantHolds.get()).values[0]?.value, 0, "bttb_watchtower_invariant_holds is 0");
  });

  it("raises UNKNOWN_SOURCE for a sequence never sent, and SOURCE_NOT_FINAL for a source not final yet", async () => {
    const bttc = world.chains.bttc;
    const ghost: Transfer = {
      srcChainId: bttc.chainId,
      srcGateway: addressToBytes32(bttc.gateway.target as string),
      srcRef: sequenceToRef(999_999n),
      kind: TransferKind.Bridge,
      dstChainId: CHAIN_IDS.bsc,
      recipient: account(13).address,
      amount: parseEther("50"),
    };
    await deliver(world, "bsc", [ghost]);
    // Sent on BTTC and delivered on Ethereum at once: BTTC makes no block after it, so its source is not final.
    const early = await bridgeFromBttc(world, "ethereum", account(7).address, parseEther("1"));
    await deliver(world, "ethereum", [early]);
    await world.mine(3, ["ethereum", "bsc"]);
    await watchtower.round();
    const alarms = newAlarms();
    assert.equal(alarms.find((a) => a.transferId === idOf(ghost))?.kind, "UNKNOWN_SOURCE");
    assert.match(alarms.find((a) => a.transferId === idOf(ghost))!.message, /sequence 999999/);
    assert.equal(alarms.find((a) => a.transferId === idOf(early))?.kind, "SOURCE_NOT_FINAL");
    await finalRound(); // BTTC catches up; nothing is raised twice
    assert.deepEqual(
      newAlarms().filter((a) => a.kind !== "INVARIANT_BROKEN"),
      [],
    );
  });

  it("raises FIELD_MISMATCH for a TRON deposit whose memo names someone else, UNKNOWN_SOURCE for a txid never sent", async () => {
    const deposit = await tronDeposit(5, account(4).address);
    tron.node.mine(5);
    const stolen = deposit.transfer(account(13).address, 5n * 10n ** 15n);
    await deliver(world, "bttc", [stolen]);
    const ghost = { ...stolen, srcRef: `0x${"ab".repeat(32)}` };
    await deliver(world, "bttc", [ghost]);
    await finalRound();
    const alarms = newAlarms();
    const forStolen = alarms.find((a) => a.transferId === idOf(stolen));
    assert.equal(forStolen?.kind, "FIELD_MISMATCH");
    assert.match(forStolen.message, new RegExp(`recipient ${account(13).address} \\(memo ${account(4).address}\\)`));
    assert.equal(alarms.find((a) => a.transferId === idOf(ghost))?.kind, "UNKNOWN_SOURCE");
  });

  it("raises UNVERIFIABLE_DELIVERY for a delivery through a contract when the node gives no trace", async () => {
    // The BSC endpoint behind a proxy that refuses debug_traceTransaction, as many providers do.
    const bsc = world.chains.bsc;
    const proxy = await refusingTraceProxy(bsc.node.url);
    const config = world.config({ tron: tronConfig() });
    config.chains.find((c) => c.name === "bsc")!.rpcUrl = proxy.url;
    const blind = new Watchtower({ config, log: pino({ level: "silent" }), retry: SHORT_RETRY });
    try {
      const t = await bridgeFromBttc(world, "bsc", account(7).address, parseEther("0.25"));
      await world.mine(3);
      const forwarder = await deployForwarder(bsc, bsc.gateway.target as string);
      await deliver(world, "bsc", [t], { via: forwarder });
      await finalRound(blind);
      const alarm = blind.state.alarms.find((a) => a.transferId === idOf(t));
      assert.equal(alarm?.kind, "UNVERIFIABLE_DELIVERY");
      assert.match(alarm.message, /no call trace/);
      // The watchtower that can trace reads it and finds it honest.
      await watchtower.round();
      assert.equal(
        newAlarms().find((a) => a.transferId === idOf(t)),
        undefined,
      );
    } finally {
      await blind.stop();
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});

/** A JSON-RPC proxy that answers debug_traceTransaction with "method not found" and passes the rest on. */
async function refusingTraceProxy(target: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const payload = JSON.parse(body) as { id: unknown; method: string } | { id: unknown; method: string }[];
      const refuse = (p: { id: unknown }) => ({
        jsonrpc: "2.0",
        id: p.id,
        error: { code: -32601, message: "the method debug_traceTransaction does not exist/is not available" },
      });
      if (!Array.isArray(payload) && payload.method === "debug_traceTransaction") {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(refuse(payload)));
        return;
      }
      fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
        async (r) => response.writeHead(r.status, { "content-type": "application/json" }).end(await r.text()),
        () => response.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
