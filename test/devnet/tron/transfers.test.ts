// TronWeb against the TRON development node: TRX and TRC-10 transfers with memos built, signed and
// broadcast as a wallet does, the balances and fees that follow, blocks and the solidified view.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TronWeb } from "tronweb";
import { BTTOLD_TOKEN } from "../../../devnet/tron/asset.ts";
import { DEFAULT_ACCOUNT_BTTOLD } from "../../../devnet/tron/genesis.ts";
import {
  BTTOLD,
  signedHex,
  signedToken,
  signedTrx,
  startTestNode,
  tokenBalance,
  type SignedTransaction,
  type TestNode,
} from "../../../devnet/tron/testing.ts";

const DEPTH = 3;

// TRON mainnet's charges, which the node applies by default, predicted here independently of its code.
const MEMO_FEE = 1_000_000;
const SUN_PER_BYTE = 1_000;
const FREE_NET_LIMIT = 600;
const CREATE_ACCOUNT_BANDWIDTH_FEE = 100_000;
const CREATE_ACCOUNT_CONTRACT_FEE = 1_000_000;

/**
 * The bandwidth java-tron charges for a transaction: its protobuf size without `ret` (the raw data and
 * each 65-byte signature as length-delimited fields) plus 64 result bytes.
 */
function bandwidthOf(tx: SignedTransaction): number {
  const field = (length: number) => 1 + (length < 128 ? 1 : 2) + length;
  const rawLength = tx.raw_data_hex.length / 2;
  return field(rawLength) + tx.signature.reduce((n, sig) => n + field(sig.length / 2), 0) + 64;
}

const hexOf = (text: string) => Buffer.from(text, "utf8").toString("hex");

describe("TRON development node with TronWeb", () => {
  let h: TestNode;
  before(async () => {
    h = await startTestNode({ solidityDepth: DEPTH });
  });
  after(async () => h.node.close());

  /** Mines until the current head is solidified. */
  function solidify(): void {
    h.node.mine(DEPTH + 1);
  }

  it("serves a chain of blocks whose ids start with their numbers and link to their parents", async () => {
    const genesis = await h.tronWeb.trx.getBlock(0);
    h.node.mine(2);
    const head = await h.tronWeb.trx.getCurrentBlock();
    const [first, second] = await h.tronWeb.trx.getBlockRange(1, 2);
    assert.equal(head.block_header.raw_data.number, 2);
    assert.equal(head.blockID, second?.blockID);
    assert.equal(first?.block_header.raw_data.parentHash, genesis.blockID);
    assert.equal(second?.block_header.raw_data.parentHash, first?.blockID);
    assert.ok(head.blockID.startsWith("0000000000000002"));
    assert.ok(head.block_header.raw_data.timestamp > genesis.block_header.raw_data.timestamp);
    assert.equal(head.block_header.raw_data.witness_address, h.node.chain.witnessAddress);
    await assert.rejects(h.tronWeb.trx.getBlock(1000), /Block not found/);
  });

  it("sends TRX with a memo: the recipient gets the amount, the sender pays it plus the 1 TRX memo fee", async () => {
    const [alice, bob] = [h.accounts[1]!, h.accounts[2]!];
    const client = h.client(alice);
    const aliceBefore = await client.trx.getBalance(alice.base58);
    const bobBefore = await client.trx.getBalance(bob.base58);
    const memo = "swap to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    const signed = await signedTrx(client, bob.base58, 25_000_000, memo);
    const sent = await client.trx.sendRawTransaction(signed);
    assert.equal(sent.result, true);
    assert.equal(sent.txid, signed.txID);
    assert.equal(await client.trx.getUnconfirmedBalance(bob.base58), bobBefore + 25_000_000);

    h.node.mine();
    const tx = await client.trx.getTransaction(signed.txID);
    assert.deepEqual(tx.ret, [{ contractRet: "SUCCESS" }]);
    assert.equal(tx.raw_data.data, hexOf(memo));
    assert.equal(tx.raw_data_hex, signed.raw_data_hex);
    solidify();
    const info = await client.trx.getTransactionInfo(signed.txID);
    assert.equal(info.fee, MEMO_FEE);
    assert.equal(info.receipt.net_usage, bandwidthOf(signed));
    assert.equal(info.blockNumber, (await client.trx.getBlock(info.blockNumber)).block_header.raw_data.number);
    assert.equal(await client.trx.getBalance(alice.base58), aliceBefore - 25_000_000 - MEMO_FEE);
    assert.equal(await client.trx.getBalance(bob.base58), bobBefore + 25_000_000);
  });

  it("sends TRC-10 1002000 with a memo to a new account, charging its creation and the memo in TRX", async () => {
    const carol = h.accounts[3]!;
    const client = h.client(carol);
    const fresh = TronWeb.createRandom();
    const before = await client.trx.getAccount(carol.base58);
    const memo = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";

    const signed = await signedToken(client, fresh.address, 123_456_789, memo);
    const value = signed.raw_data.contract[0]?.parameter.value as { asset_name?: string } | undefined;
    assert.equal(value?.asset_name, hexOf(BTTOLD));
    assert.equal((await client.trx.sendRawTransaction(signed)).result, true);
    h.node.mine();
    solidify();

    const info = await client.trx.getTransactionInfo(signed.txID);
    const creation = CREATE_ACCOUNT_CONTRACT_FEE + CREATE_ACCOUNT_BANDWIDTH_FEE;
    assert.equal(info.fee, creation + MEMO_FEE);
    assert.equal(info.receipt.net_fee, CREATE_ACCOUNT_BANDWIDTH_FEE);
    const after = await client.trx.getAccount(carol.base58);
    assert.equal(after.balance, before.balance - creation - MEMO_FEE);
    assert.equal(tokenBalance(after), tokenBalance(before) - 123_456_789);
    const recipient = await client.trx.getAccount(fresh.address);
    assert.equal(tokenBalance(recipient), 123_456_789);
    assert.equal(recipient.balance, undefined);
    // TronWeb sends a memo that starts with 0x as hex bytes, not as text: the memo is what it signed.
    const stored = await client.trx.getTransaction(signed.txID);
    assert.equal(stored.raw_data.data, memo.slice(2).toLowerCase());
  });

  it("shows pending and mined transfers on wallet/* at once and on walletsolidity/* only when solidified", async () => {
    const [dave, erin] = [h.accounts[4]!, h.accounts[5]!];
    const client = h.client(dave);
    const before = tokenBalance(await client.trx.getAccount(erin.base58));
    const signed = await signedToken(client, erin.base58, 5_000_000);
    assert.equal((await client.trx.sendRawTransaction(signed)).result, true);

    assert.equal(tokenBalance(await client.trx.getUnconfirmedAccount(erin.base58)), before + 5_000_000);
    assert.deepEqual(await client.trx.getUnconfirmedTransactionInfo(signed.txID), {});
    h.node.mine();
    for (let i = 1; i < DEPTH; i++) h.node.mine();
    assert.equal(tokenBalance(await client.trx.getAccount(erin.base58)), before, "not solidified yet");
    await assert.rejects(client.trx.getConfirmedTransaction(signed.txID), /Transaction not found/);
    assert.equal((await client.trx.getUnconfirmedTransactionInfo(signed.txID)).id, signed.txID);

    h.node.mine();
    assert.equal(tokenBalance(await client.trx.getAccount(erin.base58)), before + 5_000_000);
    assert.equal((await client.trx.getConfirmedTransaction(signed.txID)).txID, signed.txID);
    const solid = await client.trx.getConfirmedCurrentBlock();
    const head = await client.trx.getCurrentBlock();
    assert.equal(head.block_header.raw_data.number - solid.block_header.raw_data.number, DEPTH);
  });

  it("burns 1000 sun per byte once an account's 600 bytes of free bandwidth a day are used", async () => {
    const frank = h.accounts[6]!;
    const client = h.client(frank);
    const to = h.accounts[7]!.base58;
    const before = await client.trx.getBalance(frank.base58);
    const sent = [];
    for (let i = 0; i < 3; i++) {
      const signed = await signedTrx(client, to, 1_000_000 + i);
      assert.equal((await client.trx.sendRawTransaction(signed)).result, true);
      sent.push(signed);
    }
    h.node.mine();
    solidify();
    const [first, second, third] = sent.map(bandwidthOf) as [number, number, number];
    assert.ok(first + second <= FREE_NET_LIMIT && first + second + third > FREE_NET_LIMIT);
    const infos = await Promise.all(sent.map((signed) => client.trx.getTransactionInfo(signed.txID)));
    assert.deepEqual(
      infos.map((info) => [info.fee, info.receipt.net_usage, info.receipt.net_fee]),
      [
        [undefined, first, undefined],
        [undefined, second, undefined],
        [third * SUN_PER_BYTE, undefined, third * SUN_PER_BYTE],
      ],
    );
    assert.equal(await client.trx.getBalance(frank.base58), before - 3_000_003 - third * SUN_PER_BYTE);
    // Usage recovers linearly over 24 hours: the few 3-second slots mined since took less than a byte.
    const usage = (await client.trx.getAccount(frank.base58)).free_net_usage;
    assert.ok(usage === first + second || usage === first + second - 1, `free_net_usage ${usage}`);
  });

  it("reports the BTTOLD token and exact int64 values with int64_as_string", async () => {
    const token = await h.tronWeb.trx.getTokenByID(BTTOLD);
    assert.equal(token.name, "BitTorrent");
    assert.equal(token.abbr, "BTT");
    assert.equal(token.precision, 6);

    // The issuer holds the supply the demo accounts do not, beyond 2^53: only strings keep it exact.
    const issuer = TronWeb.address.fromHex(BTTOLD_TOKEN.ownerAddress);
    const raw = await h.tronWeb.trx.raw.getAccount(issuer);
    const held = raw.assetV2?.find((entry) => entry.key === BTTOLD)?.value;
    const expected = BTTOLD_TOKEN.totalSupply - 20n * DEFAULT_ACCOUNT_BTTOLD;
    assert.equal(held, expected.toString());
    assert.ok(expected > BigInt(Number.MAX_SAFE_INTEGER));
  });

  it("broadcasts a hex-encoded signed transaction (wallet/broadcasthex) as java-tron does", async () => {
    const [grace, heidi] = [h.accounts[8]!, h.accounts[9]!];
    const client = h.client(grace);
    const signed = await signedTrx(client, heidi.base58, 7_000_000, "hex path");
    const result = await client.trx.sendHexTransaction(signedHex(signed));
    assert.equal(result.result, true);
    assert.equal(result.txid, signed.txID);
    assert.ok("transaction" in result && typeof result.transaction === "object");
    assert.equal(result.transaction.raw_data.data, hexOf("hex path"));
    assert.equal(result.transaction.raw_data.contract[0]?.parameter.value.owner_address, grace.base58);
    const before = await client.trx.getBalance(heidi.base58);
    h.node.mine();
    solidify();
    assert.equal(await client.trx.getBalance(heidi.base58), before + 7_000_000);
  });
});
