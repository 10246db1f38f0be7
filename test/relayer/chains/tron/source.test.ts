// The TRON source adapter (relayer/chains/tron/source.ts) against the TRON development node, run in this
// process, mining on demand and solidifying 3 blocks deep; deposits are TRC-10 1002000 transfers with
// memos built and signed by TronWeb as a wallet does. Amounts, ids and fields exact (1 BTTOLD is 10^21
// wei, 7 units 7×10^15, 2^53+1 units digit for digit); many deposits in one block in order; rejected
// deposits kept with their reason; other assets listed apart; heads by the solidified block; ranges
// split by maxBlockRange with nothing missed or doubled; and a node that throttles, fails or lies.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { AbiCoder, SigningKey, ZeroAddress, getAddress, keccak256, sha256, zeroPadValue } from "ethers";
import { TronWeb } from "tronweb";
import { transferId, type Transfer } from "../../../../common/transfer.ts";
import { BTTOLD_TOKEN, type AssetIssue } from "../../../../devnet/tron/asset.ts";
import {
  completeGenesis,
  currentSlotTime,
  DEV_WITNESS_PRIVATE_KEY,
  hardhatAccounts,
  HARDHAT_MNEMONIC,
  type DevAccount,
} from "../../../../devnet/tron/genesis.ts";
import { MAINNET_PARAMETERS } from "../../../../devnet/tron/params.ts";
import { signedToken, signedTrx, startTestNode, type SignedTransaction, type TestNode } from "../../../../devnet/tron/testing.ts";
import type { RetryEvent } from "../../../../common/rpc/retry.ts";
import { encodeSwapMemo, swapMemoChecksum } from "../../../../common/tron/memo.ts";
import {
  TronSource,
  isRejected,
  type OtherDeposit,
  type TronObservedTransfer,
  type TronSourceConfig,
} from "../../../../relayer/chains/tron/source.ts";
import { ChainDataError, InvalidRequestError, RelayerError, RpcError } from "../../../../relayer/errors.ts";
import { CHAIN_IDS } from "../../../../testkit/constants.ts";

const DEPTH = 3;
const TRON_ID = CHAIN_IDS.tron;
const BTTC_ID = CHAIN_IDS.bttc;
const MINIMUM = 5n;
const WEI_PER_UNIT = 10n ** 15n;
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 };

const ACCOUNTS = hardhatAccounts(HARDHAT_MNEMONIC, 20);
const [WHALE, A1, A2, A3, A4, A5, A6] = ACCOUNTS as [DevAccount, DevAccount, DevAccount, DevAccount, DevAccount, DevAccount, DevAccount];
/** The deposit address: an account that exists only once something is sent to it. */
const DEPOSIT = ACCOUNTS[19]!;
const STRANGER = ACCOUNTS[18]!;
const RECIPIENTS = [
  "0x1111111111111111111111111111111111111111",
  "0x2222222222222222222222222222222222222222",
  "0x3333333333333333333333333333333333333333",
].map(getAddress);
/** A second TRC-10 token, issued by account 5. */
const OTHER_TOKEN: AssetIssue = {
  ...BTTOLD_TOKEN,
  id: "1000777",
  name: "Other",
  abbr: "OTH",
  totalSupply: 10n ** 12n,
  ownerAddress: A5.address,
};
/** More than 2^53 units, for the whale. */
const HUGE = 2n ** 53n + 1n;

function genesis() {
  return completeGenesis({
    timestamp: currentSlotTime(),
    witnessPrivateKey: DEV_WITNESS_PRIVATE_KEY,
    parameters: MAINNET_PARAMETERS,
    tokens: [BTTOLD_TOKEN, OTHER_TOKEN],
    accounts: ACCOUNTS.slice(0, 10).map((account) => ({
      address: account.address,
      balance: 1_000_000n * 1_000_000n,
      assets: new Map([[BTTOLD_TOKEN.id, account === WHALE ? 2n * HUGE : 10n ** 12n]]),
    })),
  });
}

// The fields a deposit must come out with, computed here from their definition (docs/protocol.md,
// "Transfer identity"), not with the adapter's helpers.
const SRC_GATEWAY = zeroPadValue(DEPOSIT.evmAddress, 32);
function expectedId(txId: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["uint64", "bytes32", "bytes32"], [TRON_ID, SRC_GATEWAY, `0x${txId}`]));
}

describe("TRON source", () => {
  let h: TestNode;
  let source: TronSource;
  let config: TronSourceConfig;

  before(async () => {
    h = await startTestNode({ solidityDepth: DEPTH, genesis: genesis() });
    config = {
      name: "tron",
      chainId: TRON_ID,
      fullHost: h.node.url,
      depositAddress: DEPOSIT.base58,
      tokenId: "1002000",
      bttcChainId: BTTC_ID,
      minimumUnits: MINIMUM,
      maxBlockRange: 100,
    };
    source = new TronSource(config, { retry: FAST_RETRY });
  });
  after(async () => h.node.close());

  async function send(tx: SignedTransaction): Promise<string> {
    const sent = await h.tronWeb.trx.sendRawTransaction(tx);
    assert.equal(sent.result, true, JSON.stringify(sent));
    return tx.txID;
  }
  async function deposit(from: DevAccount, units: number, memo?: string): Promise<string> {
    return send(await signedToken(h.client(from), DEPOSIT.base58, units, memo));
  }
  /** Mines the pending transactions into a block, then solidifies it; returns its number. */
  function mineFinal(): bigint {
    const block = h.node.mine();
    h.node.mine(DEPTH);
    return block.header.number;
  }
  async function blockId(number: bigint): Promise<string> {
    return `0x${(await h.tronWeb.trx.getBlock(Number(number))).blockID}`;
  }
  async function expected(
    txId: string,
    block: bigint,
    index: number,
    from: DevAccount,
    units: bigint,
    recipient: string,
  ): Promise<TronObservedTransfer> {
    const transfer: Transfer = {
      srcChainId: TRON_ID,
      srcGateway: SRC_GATEWAY,
      srcRef: `0x${txId}`,
      kind: 1,
      dstChainId: BTTC_ID,
      recipient,
      amount: units * WEI_PER_UNIT,
    };
    return {
      id: expectedId(txId),
      transfer,
      sender: from.base58,
      fee: 0n,
      legacyAmount: units,
      srcTxHash: `0x${txId}`,
      blockNumber: block,
      blockHash: await blockId(block),
      logIndex: index,
    };
  }

  it("observes 1 BTTOLD as exactly 10^21 wei and 7 units as 7×10^15, with every field and the spec's id", async () => {
    const one = await deposit(A1, 1_000_000, encodeSwapMemo(RECIPIENTS[0]!));
    const seven = await deposit(A2, 7, encodeSwapMemo(RECIPIENTS[1]!));
    const block = mineFinal();

    const found = await source.transfersIn(block, block);
    assert.deepEqual(found, [
      await expected(one, block, 0, A1, 1_000_000n, RECIPIENTS[0]!),
      await expected(seven, block, 1, A2, 7n, RECIPIENTS[1]!),
    ]);
    assert.equal(found[0]!.transfer.amount, 10n ** 21n);
    assert.equal(found[1]!.transfer.amount, 7n * 10n ** 15n);
    for (const observed of found) {
      assert.equal(observed.id, transferId(observed.transfer));
      assert.equal(isRejected(observed), false);
    }
    assert.equal(source.srcGateway, SRC_GATEWAY);
  });

  it("observes an amount beyond 2^53 units digit for digit", async () => {
    const txId = await broadcastTokenTransfer(h, WHALE, DEPOSIT, HUGE, encodeSwapMemo(RECIPIENTS[2]!));
    const block = mineFinal();
    const [found] = await source.transfersIn(block, block);
    assert.deepEqual(found, await expected(txId, block, 0, WHALE, HUGE, RECIPIENTS[2]!));
    assert.equal(found.transfer.amount, 9_007_199_254_740_993n * 10n ** 15n);
  });

  it("finds many deposits in one block, in the order the block has them, among unrelated transfers", async () => {
    const senders = [A1, A2, A3, A4, A5, A6];
    const sent: { txId: string; from: DevAccount; units: bigint; recipient: string }[] = [];
    for (const [i, from] of senders.entries()) {
      const units = BigInt(1_000 + i);
      const recipient = RECIPIENTS[i % 3]!;
      sent.push({ txId: await deposit(from, Number(units), encodeSwapMemo(recipient)), from, units, recipient });
      // Noise: BTTOLD and TRX to someone else, in between.
      if (i % 2 === 0) await send(await signedToken(h.client(from), STRANGER.base58, 50 + i, encodeSwapMemo(recipient)));
      else await send(await signedTrx(h.client(from), STRANGER.base58, 1_000 + i));
    }
    const block = mineFinal();
    const found = await source.transfersIn(block, block);
    assert.deepEqual(
      found.map((o) => o.srcTxHash),
      sent.map((s) => `0x${s.txId}`),
    );
    const indexes = found.map((o) => o.logIndex);
    assert.deepEqual(indexes, [0, 2, 4, 6, 8, 10]);
    for (const [i, s] of sent.entries()) {
      assert.deepEqual(found[i], await expected(s.txId, block, indexes[i]!, s.from, s.units, s.recipient));
    }
  });

  it("keeps deposits it cannot swap, each with its rejection reason", async () => {
    const cases: { memo: string | undefined; units: number; reason: string; recipient: string }[] = [
      { memo: undefined, units: 1_000_000, reason: "MISSING", recipient: ZeroAddress },
      { memo: "please swap", units: 2_000_000, reason: "WRONG_PREFIX", recipient: ZeroAddress },
      // A bare address: TronWeb stores a memo that starts with 0x as its bytes, not as text.
      { memo: RECIPIENTS[0]!, units: 3_000_000, reason: "NOT_TEXT", recipient: ZeroAddress },
      { memo: `BTTC:${RECIPIENTS[0]}:00000000`, units: 4_000_000, reason: "BAD_CHECKSUM", recipient: ZeroAddress },
      { memo: `BTTC:0x1234:${swapMemoChecksum(RECIPIENTS[0]!)}`, units: 5_000_000, reason: "BAD_ADDRESS", recipient: ZeroAddress },
      { memo: `BTTC:${ZeroAddress}:${swapMemoChecksum(ZeroAddress)}`, units: 6_000_000, reason: "ZERO_ADDRESS", recipient: ZeroAddress },
      // Under the minimum: the recipient is known, the deposit is still refunded rather than swapped.
      { memo: encodeSwapMemo(RECIPIENTS[1]!), units: Number(MINIMUM) - 1, reason: "BELOW_MINIMUM", recipient: RECIPIENTS[1]! },
    ];
    const ids: string[] = [];
    for (const c of cases) ids.push(await deposit(A3, c.units, c.memo));
    // Exactly the minimum is swapped.
    const atMinimum = await deposit(A3, Number(MINIMUM), encodeSwapMemo(RECIPIENTS[2]!));
    const block = mineFinal();

    const found = await source.transfersIn(block, block);
    assert.equal(found.length, cases.length + 1);
    for (const [i, c] of cases.entries()) {
      const observed = found[i]!;
      const { rejection, ...rest } = observed;
      assert.deepEqual(rest, await expected(ids[i]!, block, i, A3, BigInt(c.units), c.recipient));
      assert.equal(rejection?.reason, c.reason, `memo ${JSON.stringify(c.memo)}`);
      assert.ok(rejection.detail.length > 0);
      assert.ok(isRejected(observed));
    }
    assert.match(found[6]!.rejection!.detail, /4 units is under the minimum swap of 5 units/);
    assert.deepEqual(found[cases.length], await expected(atMinimum, block, cases.length, A3, MINIMUM, RECIPIENTS[2]!));
  });

  it("lists TRX and other TRC-10 tokens sent to the deposit address apart, and ignores what leaves it", async () => {
    const trx = await send(await signedTrx(h.client(A4), DEPOSIT.base58, 10_000_000, "oops"));
    const other = await send(
      await (async () => {
        const client = h.client(A5);
        const tx = await client.transactionBuilder.sendToken(DEPOSIT.base58, 123, OTHER_TOKEN.id, A5.base58);
        return client.trx.sign(tx);
      })(),
    );
    const swap = await deposit(A4, 1_000_000, encodeSwapMemo(RECIPIENTS[0]!));
    h.node.mine();
    // The deposit account sends BTTOLD and TRX on (a refund, a burn): neither is a deposit.
    await send(await signedToken(h.client(DEPOSIT), A4.base58, 999, "refund"));
    await send(await signedTrx(h.client(DEPOSIT), A4.base58, 1_000_000));
    const last = h.node.mine().header.number;
    h.node.mine(DEPTH);
    const first = last - 1n;

    const scan = await source.scan(first, last);
    assert.deepEqual(
      scan.transfers.map((o) => o.srcTxHash),
      [`0x${swap}`],
    );
    const expectedOthers: OtherDeposit[] = [
      {
        asset: "TRX",
        token: "TRX",
        amount: 10_000_000n,
        sender: A4.base58,
        memo: `0x${Buffer.from("oops").toString("hex")}`,
        srcTxHash: `0x${trx}`,
        blockNumber: first,
        blockHash: await blockId(first),
        logIndex: 0,
      },
      {
        asset: "TRC10",
        token: OTHER_TOKEN.id,
        amount: 123n,
        sender: A5.base58,
        memo: "0x",
        srcTxHash: `0x${other}`,
        blockNumber: first,
        blockHash: await blockId(first),
        logIndex: 1,
      },
    ];
    assert.deepEqual(scan.others, expectedOthers);
    assert.deepEqual(await source.otherDepositsIn(first, last), expectedOthers);
    assert.deepEqual(await source.transfersIn(first, last), scan.transfers);
  });

  it("reads heads by the solidified block, and scans above it from the head chain only when asked", async () => {
    h.node.mine(2);
    const heads = await source.heads();
    const head = h.node.chain.head.header.number;
    assert.deepEqual(heads, { head, finalized: head - BigInt(DEPTH) });

    const txId = await deposit(A6, 77, encodeSwapMemo(RECIPIENTS[1]!));
    const block = h.node.mine().header.number;
    const now = await source.heads();
    assert.deepEqual(now, { head: block, finalized: block - BigInt(DEPTH) });
    // A scan up to the final block does not see it; a scan of the head part does, with the same fields.
    const upToFinal = await source.transfersIn(now.finalized - 5n, now.finalized);
    assert.ok(upToFinal.every((o) => o.blockNumber <= now.finalized && o.srcTxHash !== `0x${txId}`));
    const pending = await source.transfersIn(now.finalized + 1n, now.head);
    assert.deepEqual(pending, [await expected(txId, block, 0, A6, 77n, RECIPIENTS[1]!)]);
    // Past the head, a range is refused (retryable), never cut short.
    await assert.rejects(source.transfersIn(now.finalized, now.head + 1n), (error: unknown) => {
      assert.ok(error instanceof ChainDataError);
      assert.equal(error.retryable, true);
      assert.match(error.message, new RegExp(`does not serve blocks ${now.head + 1n}\\.\\.${now.head + 1n}`));
      return true;
    });
    h.node.mine(DEPTH);
    const final = await source.heads();
    assert.equal(final.finalized, block);
    assert.deepEqual(await source.transfersIn(final.finalized, final.finalized), pending);
  });

  it("gives block hashes as the node has them, and null past the head", async () => {
    const { head, finalized } = await source.heads();
    for (const n of [0n, 1n, finalized, head]) assert.equal(await source.blockHash(n), await blockId(n));
    assert.equal(await source.blockHash(head + 1n), null);
    await assert.rejects(source.blockHash(-1n), InvalidRequestError);
  });

  it("splits ranges by maxBlockRange with nothing missed or doubled, across the solidified block", async () => {
    // Deposits in the final part and in the head part, some blocks empty.
    for (const units of [11, 12]) await deposit(A1, units, encodeSwapMemo(RECIPIENTS[0]!));
    h.node.mine();
    h.node.mine();
    await deposit(A2, 13, undefined);
    await send(await signedTrx(h.client(A2), DEPOSIT.base58, 1_313));
    h.node.mine(DEPTH + 1);
    await deposit(A3, 14, encodeSwapMemo(RECIPIENTS[2]!));
    h.node.mine();
    const { head, finalized } = await source.heads();
    assert.ok(head > finalized);

    const whole = await source.scan(1n, head);
    assert.ok(whole.transfers.length >= 20);
    const key = (o: { srcTxHash: string }) => o.srcTxHash;
    assert.equal(new Set(whole.transfers.map(key)).size, whole.transfers.length);
    for (const step of [1, 2, 3, 7]) {
      const split = new TronSource({ ...config, maxBlockRange: step }, { retry: FAST_RETRY });
      assert.deepEqual(await split.scan(1n, head), whole, `maxBlockRange ${step}`);
    }
    // Two adjacent ranges give the whole, for every place of the cut.
    for (let cut = 1n; cut < head; cut++) {
      const parts = [...(await source.transfersIn(1n, cut)), ...(await source.transfersIn(cut + 1n, head))];
      assert.deepEqual(parts, whole.transfers, `cut after ${cut}`);
    }
    // Every deposit lies inside the range asked, and blocks are in order.
    const inRange = await source.transfersIn(finalized - 2n, finalized + 1n);
    assert.ok(inRange.every((o) => o.blockNumber >= finalized - 2n && o.blockNumber <= finalized + 1n));
    assert.deepEqual(
      inRange,
      whole.transfers.filter((o) => o.blockNumber >= finalized - 2n && o.blockNumber <= finalized + 1n),
    );
  });

  it("refuses invalid ranges and configurations", async () => {
    await assert.rejects(source.transfersIn(5n, 4n), InvalidRequestError);
    await assert.rejects(source.transfersIn(-1n, 4n), InvalidRequestError);
    assert.throws(() => new TronSource({ ...config, maxBlockRange: 101 }), /maxBlockRange must be 1\.\.100/);
    assert.throws(() => new TronSource({ ...config, maxBlockRange: 0 }), InvalidRequestError);
    assert.throws(() => new TronSource({ ...config, depositAddress: DEPOSIT.address }), /not a base58 TRON address/);
    assert.throws(() => new TronSource({ ...config, depositAddress: `${DEPOSIT.base58.slice(0, -1)}X` }), InvalidRequestError);
    assert.throws(() => new TronSource({ ...config, tokenId: "BTT" }), InvalidRequestError);
  });

  describe("through a node that misbehaves", () => {
    let proxy: Proxy;
    before(async () => {
      proxy = await startProxy(h.node.url);
    });
    after(async () => proxy.close());

    it("retries throttling and server errors (honouring Retry-After), then reads as usual", async () => {
      const events: RetryEvent[] = [];
      const flaky = new TronSource(
        { ...config, fullHost: proxy.url },
        { retry: { ...FAST_RETRY, attempts: 4, maxDelayMs: 2_000, onRetry: (e) => events.push(e) } },
      );
      proxy.queue(
        { status: 429, headers: { "retry-after": "1" }, body: "Too Many Requests" },
        { status: 503, body: "Service Unavailable" },
        { status: 403, body: '{"Error":"The key exceeds the frequency limit(15), and the query server is suspended for 1s"}' },
      );
      const started = Date.now();
      assert.deepEqual(await flaky.heads(), await source.heads());
      assert.ok(Date.now() - started >= 1_000, "waited as Retry-After asked");
      assert.deepEqual(
        events.map((e) => [e.operation, e.attempt, e.reason.slice(0, 8)]),
        [
          ["walletsolidity/getblock detail=false", 1, "HTTP 429"],
          ["walletsolidity/getblock detail=false", 2, "HTTP 503"],
          ["walletsolidity/getblock detail=false", 3, "HTTP 403"],
        ],
      );
      assert.equal(events[0]!.retryAfterMs, 1_000);
    });

    it("gives up on a failing node with a retryable RpcError, and at once on a request the node refuses", async () => {
      const flaky = new TronSource({ ...config, fullHost: proxy.url }, { retry: FAST_RETRY });
      proxy.queue(...Array.from({ length: 3 }, () => ({ status: 502, body: "Bad Gateway" })));
      await assert.rejects(flaky.heads(), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.code, "RPC_UNAVAILABLE");
        assert.equal(error.retryable, true);
        assert.equal(error.attempts, 3);
        assert.match(error.message, /tron: walletsolidity\/getblock detail=false failed \(3 attempts\): HTTP 502/);
        return true;
      });
      // A path the node does not serve: 404, not worth a second try.
      const wrong = new TronSource({ ...config, fullHost: `${h.node.url}/not-here` }, { retry: FAST_RETRY });
      await assert.rejects(wrong.heads(), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.code, "RPC_FAILED");
        assert.equal(error.attempts, 1);
        return true;
      });
      // Nobody listening.
      const closed = await startProxy(h.node.url);
      await closed.close();
      const gone = new TronSource({ ...config, fullHost: closed.url }, { retry: FAST_RETRY });
      await assert.rejects(gone.blockHash(1n), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.retryable, true);
        assert.match(error.message, /network: ECONNREFUSED/);
        return true;
      });
      // java-tron's own refusal of a request: {"Error": …}.
      proxy.queue({ status: 200, body: '{"Error":"java.lang.NumberFormatException: For input string: \\"x\\""}' });
      await assert.rejects(flaky.blockHash(1n), (error: unknown) => {
        assert.ok(error instanceof RelayerError);
        assert.equal(error.code, "TRON_API_ERROR");
        assert.equal(error.retryable, false);
        return true;
      });
      // An HTML error page from a proxy is not a block: retried, then reported as chain data.
      proxy.queue(...Array.from({ length: 3 }, () => ({ status: 200, body: "<html>maintenance</html>", type: "text/html" })));
      await assert.rejects(flaky.blockHash(1n), (error: unknown) => error instanceof ChainDataError && error.retryable);
    });

    it("reads java-tron's other shapes: failed transactions, TRC-20 transfers, rounded numbers, broken chains", async () => {
      // Three deposits in one final block; the proxy then edits that block as java-tron could show it.
      const memo = encodeSwapMemo(RECIPIENTS[0]!);
      const ok = await deposit(A1, 21, memo);
      const failed = await deposit(A2, 22, memo);
      const third = await deposit(A3, 23, memo);
      const block = mineFinal();
      const flaky = new TronSource({ ...config, fullHost: proxy.url }, { retry: FAST_RETRY });
      const usdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
      const usdtHex = TronWeb.address.toHex(usdt).toLowerCase();
      const trc20 = {
        ret: [{ contractRet: "SUCCESS" }],
        txID: "ab".repeat(32),
        raw_data: {
          contract: [
            {
              parameter: {
                value: {
                  data: `a9059cbb${"0".repeat(24)}${DEPOSIT.address.slice(2)}${5_000_000n.toString(16).padStart(64, "0")}`,
                  owner_address: A4.address,
                  contract_address: usdtHex,
                },
                type_url: "type.googleapis.com/protocol.TriggerSmartContract",
              },
              type: "TriggerSmartContract",
            },
          ],
        },
      };
      const edit = (json: Record<string, unknown>) => {
        for (const b of (json.block as Record<string, unknown>[] | undefined) ?? []) {
          const txs = b.transactions as { ret: { contractRet: string }[]; txID: string }[] | undefined;
          if (!txs) continue;
          const bad = txs.find((tx) => tx.txID === failed);
          if (bad) bad.ret = [{ contractRet: "REVERT" }];
          if (txs.some((tx) => tx.txID === ok)) txs.push(trc20);
        }
        return json;
      };
      proxy.rewrite(edit);
      const scan = await flaky.scan(block, block);
      assert.deepEqual(
        scan.transfers.map((o) => o.srcTxHash),
        [`0x${ok}`, `0x${third}`],
      );
      assert.deepEqual(scan.others, [
        {
          asset: "TRC20",
          token: usdt,
          amount: 5_000_000n,
          sender: A4.base58,
          memo: "0x",
          srcTxHash: `0x${"ab".repeat(32)}`,
          blockNumber: block,
          blockHash: await blockId(block),
          logIndex: 3,
        },
      ]);

      // A node that ignores int64_as_string and sends an amount beyond 2^53 as a (rounded) number.
      proxy.rewrite(() => ({ block: [roundedBlock(block, 2 ** 53 + 2)] }));
      await assert.rejects(flaky.transfersIn(block, block), /beyond 2\^53 and so possibly rounded/);
      // A block that is not the child of the one before it.
      proxy.rewrite((json) => {
        const blocks = json.block as { block_header: { raw_data: { parentHash: string } } }[] | undefined;
        if (blocks?.[1]) blocks[1].block_header.raw_data.parentHash = "00".repeat(32);
        return json;
      });
      await assert.rejects(flaky.transfersIn(block - 1n, block), /is not the child of block/);
      // A node that answers with other blocks than asked.
      proxy.rewrite((json) => ({ block: ((json.block as unknown[] | undefined) ?? []).slice(1) }));
      await assert.rejects(flaky.transfersIn(block - 1n, block), /answered block/);
      proxy.rewrite(undefined);
      assert.equal((await flaky.transfersIn(block, block)).length, 3);
    });
  });
});

/** A java-tron block as a node without int64_as_string writes it: the amount as a bare JSON number. */
function roundedBlock(number: bigint, amount: number): Record<string, unknown> {
  return {
    blockID: `${number.toString(16).padStart(16, "0")}${"11".repeat(24)}`,
    block_header: { raw_data: { number: Number(number), parentHash: "22".repeat(32) } },
    transactions: [
      {
        ret: [{ contractRet: "SUCCESS" }],
        txID: "cd".repeat(32),
        raw_data: {
          contract: [
            {
              parameter: {
                value: { asset_name: "31303032303030", owner_address: ACCOUNTS[1]!.address, to_address: DEPOSIT.address, amount },
                type_url: "type.googleapis.com/protocol.TransferAssetContract",
              },
              type: "TransferAssetContract",
            },
          ],
        },
      },
    ],
  };
}

// ----- a TRC-10 transfer beyond 2^53, encoded by hand (TronWeb takes amounts as JS numbers) -----

function varint(value: bigint): string {
  let out = "";
  for (let rest = value; ; rest >>= 7n) {
    if (rest < 0x80n) return out + rest.toString(16).padStart(2, "0");
    out += ((rest & 0x7fn) | 0x80n).toString(16).padStart(2, "0");
  }
}
const bytesField = (key: number, hex: string) => varint(BigInt((key << 3) | 2)) + varint(BigInt(hex.length / 2)) + hex;
const intField = (key: number, value: bigint) => varint(BigInt(key << 3)) + varint(value);
const hexText = (text: string) => Buffer.from(text, "utf8").toString("hex");

/** Builds, signs and broadcasts (wallet/broadcasthex) a TransferAssetContract of 1002000 with a memo. */
async function broadcastTokenTransfer(h: TestNode, from: DevAccount, to: DevAccount, units: bigint, memo: string): Promise<string> {
  const head = await h.tronWeb.trx.getCurrentBlock();
  const time = BigInt(head.block_header.raw_data.timestamp);
  // protocol.TransferAssetContract: asset_name 1, owner_address 2, to_address 3, amount 4.
  const value = bytesField(1, hexText("1002000")) + bytesField(2, from.address) + bytesField(3, to.address) + intField(4, units);
  const any = bytesField(1, hexText("type.googleapis.com/protocol.TransferAssetContract")) + bytesField(2, value);
  const contract = intField(1, 2n) + bytesField(2, any);
  // Transaction.raw: ref_block_bytes 1, ref_block_hash 4, expiration 8, data 10, contract 11, timestamp 14.
  const raw =
    bytesField(1, head.blockID.slice(12, 16)) +
    bytesField(4, head.blockID.slice(16, 32)) +
    intField(8, time + 60_000n) +
    bytesField(10, hexText(memo)) +
    bytesField(11, contract) +
    intField(14, time);
  const signature = new SigningKey(from.privateKey).sign(sha256(`0x${raw}`)).serialized.slice(2);
  const response = await fetch(`${h.node.url}/wallet/broadcasthex`, {
    method: "POST",
    body: JSON.stringify({ transaction: bytesField(1, raw) + bytesField(2, signature) }),
  });
  const answer = (await response.json()) as { result: boolean; txid: string };
  assert.equal(answer.result, true, JSON.stringify(answer));
  assert.equal(answer.txid, sha256(`0x${raw}`).slice(2));
  return answer.txid;
}

// ----- a node that misbehaves on demand -----

interface Canned {
  status: number;
  body: string;
  headers?: Record<string, string>;
  type?: string;
}

interface Proxy {
  readonly url: string;
  /** Answers the next requests with these, in order, then passes requests on again. */
  queue(...answers: Canned[]): void;
  /** Passes `getblockbylimitnext` answers through `edit` (undefined: pass them unchanged). */
  rewrite(edit: ((json: Record<string, unknown>) => Record<string, unknown>) | undefined): void;
  close(): Promise<void>;
}

/** An HTTP proxy in front of the development node, on a free loopback port. */
async function startProxy(target: string): Promise<Proxy> {
  const canned: Canned[] = [];
  let edit: ((json: Record<string, unknown>) => Record<string, unknown>) | undefined;
  const server: Server = createServer((req, res) => {
    const next = canned.shift();
    if (next) {
      res.writeHead(next.status, { "content-type": next.type ?? "application/json", ...next.headers }).end(next.body);
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(`${target}${req.url ?? "/"}`, { method: req.method ?? "GET", ...(body ? { body } : {}) })
        .then(async (answer) => {
          let text = await answer.text();
          if (edit && (req.url ?? "").includes("getblockbylimitnext")) {
            text = JSON.stringify(edit(JSON.parse(text) as Record<string, unknown>));
          }
          res.writeHead(answer.status, { "content-type": "application/json" }).end(text);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queue: (...answers) => void canned.push(...answers),
    rewrite: (next) => {
      edit = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
