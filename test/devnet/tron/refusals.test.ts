// What the TRON development node refuses, and how: java-tron's response codes and messages, so that
// TronWeb (which returns them as they come) and the code on top of it see what a real node would say.
// A refused transaction changes nothing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TronWeb, utils } from "tronweb";
import {
  messageText,
  signedHex,
  signedToken,
  signedTrx,
  startTestNode,
  tokenBalance,
  type SignedTransaction,
  type TestNode,
} from "../../../devnet/tron/testing.ts";

/** TRON mainnet's memo fee, which the node charges by default. */
const MEMO_FEE = 1_000_000;

describe("TRON development node refusals", () => {
  let h: TestNode;
  before(async () => {
    h = await startTestNode({ solidityDepth: 0 });
    h.node.mine();
  });
  after(async () => h.node.close());

  async function broadcast(tx: SignedTransaction) {
    return h.tronWeb.trx.sendRawTransaction(tx);
  }

  it("refuses a transaction signed by a key other than the owner's with SIGERROR", async () => {
    const [owner, other, to] = [h.accounts[1]!, h.accounts[2]!, h.accounts[3]!];
    const client = h.client(owner);
    const unsigned = await client.transactionBuilder.sendTrx(to.base58, 1_000_000, owner.base58);
    const forged = utils.crypto.signTransaction(other.privateKey.slice(2), unsigned);
    const before = await client.trx.getUnconfirmedBalance(owner.base58);

    const result = await broadcast(forged);
    assert.equal(result.result, undefined);
    assert.equal(result.code, "SIGERROR");
    assert.equal(result.txid, unsigned.txID);
    assert.equal(
      messageText(result.message),
      `Validate signature error: ${unsigned.txID} is signed by ${other.base58} but it is not contained of permission.`,
    );
    assert.equal(await client.trx.getUnconfirmedBalance(owner.base58), before);
  });

  it("refuses a memo changed after signing with SIGERROR: the signature covers raw_data.data", async () => {
    const [owner, to] = [h.accounts[1]!, h.accounts[3]!];
    const signed = await signedToken(h.client(owner), to.base58, 1_000, "to 0x1111");
    const original = Buffer.from("to 0x1111").toString("hex");
    const altered = Buffer.from("to 0x2222").toString("hex");
    assert.ok(signed.raw_data_hex.includes(original));
    const tampered = { ...signed, raw_data_hex: signed.raw_data_hex.replace(original, altered) };

    const result = await broadcast(tampered);
    assert.equal(result.code, "SIGERROR");
    assert.match(
      messageText(result.message),
      /^Validate signature error: \w{64} is signed by T\w+ but it is not contained of permission\.$/,
    );
    assert.notEqual(result.txid, signed.txID);
  });

  it("refuses a transaction referencing an unknown block with TAPOS_ERROR", async () => {
    const [owner, to] = [h.accounts[1]!, h.accounts[3]!];
    const client = h.client(owner);
    const head = await client.trx.getCurrentBlock();
    const timestamp = head.block_header.raw_data.timestamp;
    const tx = await client.transactionBuilder.sendTrx(to.base58, 1_000_000, owner.base58, {
      blockHeader: { ref_block_bytes: "7fff", ref_block_hash: "00112233aabbccdd", expiration: timestamp + 60_000, timestamp },
    });
    const result = await broadcast(await client.trx.sign(tx));
    assert.equal(result.code, "TAPOS_ERROR");
    assert.equal(messageText(result.message), "Tapos check error.");

    const wrongHash = await client.transactionBuilder.sendTrx(to.base58, 1_000_000, owner.base58, {
      blockHeader: {
        ref_block_bytes: head.blockID.slice(12, 16),
        ref_block_hash: "00112233aabbccdd",
        expiration: timestamp + 60_000,
        timestamp,
      },
    });
    assert.equal((await broadcast(await client.trx.sign(wrongHash))).code, "TAPOS_ERROR");
  });

  it("refuses an expired transaction with TRANSACTION_EXPIRATION_ERROR", async () => {
    const [owner, to] = [h.accounts[1]!, h.accounts[3]!];
    const client = h.client(owner);
    const head = await client.trx.getCurrentBlock();
    const tx = await client.transactionBuilder.sendTrx(to.base58, 1_000_000, owner.base58, {
      blockHeader: {
        ref_block_bytes: head.blockID.slice(12, 16),
        ref_block_hash: head.blockID.slice(16, 32),
        expiration: head.block_header.raw_data.timestamp,
        timestamp: head.block_header.raw_data.timestamp - 60_000,
      },
    });
    const result = await broadcast(await client.trx.sign(tx));
    assert.equal(result.code, "TRANSACTION_EXPIRATION_ERROR");
    assert.equal(messageText(result.message), "Transaction expired");
  });

  it("refuses TRX and TRC-10 overdrafts with CONTRACT_VALIDATE_ERROR and changes no balance", async () => {
    const [owner, to] = [h.accounts[4]!, h.accounts[3]!];
    const client = h.client(owner);
    const account = await client.trx.getUnconfirmedAccount(owner.base58);

    const trx = await broadcast(await signedTrx(client, to.base58, account.balance + 1));
    assert.equal(trx.code, "CONTRACT_VALIDATE_ERROR");
    assert.equal(messageText(trx.message), "Contract validate error : Validate TransferContract error, balance is not sufficient.");
    // The memo fee is charged before the transfer is checked: balance minus 1 TRX is already too much.
    const withMemo = await broadcast(await signedTrx(client, to.base58, account.balance - MEMO_FEE + 1, "memo"));
    assert.equal(withMemo.code, "CONTRACT_VALIDATE_ERROR");

    const token = await broadcast(await signedToken(client, to.base58, tokenBalance(account) + 1));
    assert.equal(token.code, "CONTRACT_VALIDATE_ERROR");
    assert.equal(messageText(token.message), "Contract validate error : assetBalance is not sufficient.");

    h.node.mine();
    const after = await client.trx.getAccount(owner.base58);
    assert.equal(after.balance, account.balance);
    assert.equal(tokenBalance(after), tokenBalance(account));
    assert.equal(after.free_net_usage, undefined, "a refused transaction uses no bandwidth either");
  });

  it("refuses a memo from an account without the TRX for its fee with BANDWITH_ERROR", async () => {
    const funder = h.accounts[5]!;
    const holder = TronWeb.createRandom();
    assert.equal((await broadcast(await signedToken(h.client(funder), holder.address, 1_000_000))).result, true);
    h.node.mine();
    const client = new TronWeb({ fullHost: h.node.url, privateKey: holder.privateKey.slice(2) });

    const withMemo = await broadcast(await signedToken(client, funder.base58, 1_000, "no TRX for this memo"));
    assert.equal(withMemo.code, "BANDWITH_ERROR");
    assert.equal(messageText(withMemo.message), "Account resource insufficient error.");
    // Without a memo free bandwidth pays for the transfer.
    assert.equal((await broadcast(await signedToken(client, funder.base58, 1_000))).result, true);
  });

  it("refuses a replayed transaction with DUP_TRANSACTION_ERROR, pending or mined, and applies it once", async () => {
    const [owner, to] = [h.accounts[6]!, h.accounts[7]!];
    const client = h.client(owner);
    const before = await client.trx.getBalance(to.base58);
    const signed = await signedTrx(client, to.base58, 2_000_000, "once");

    assert.equal((await broadcast(signed)).result, true);
    const pending = await broadcast(signed);
    assert.equal(pending.code, "DUP_TRANSACTION_ERROR");
    assert.equal(messageText(pending.message), "Dup transaction.");
    h.node.mine();
    assert.equal((await broadcast(signed)).code, "DUP_TRANSACTION_ERROR");
    const viaHex = await client.trx.sendHexTransaction(signedHex(signed));
    assert.equal(viaHex.code, "DUP_TRANSACTION_ERROR");
    assert.equal(viaHex.message, "Dup transaction.");
    h.node.mine();
    assert.equal(await client.trx.getBalance(to.base58), before + 2_000_000);
  });

  it("answers malformed requests with java-tron's {Error} and unknown items with {}", async () => {
    const post = async (path: string, body: string) =>
      (await fetch(`${h.node.url}${path}`, { method: "POST", body })).json() as Promise<Record<string, unknown>>;
    assert.match(String((await post("/wallet/broadcasttransaction", "{not json")).Error), /invalid JSON/);
    assert.match(String((await post("/wallet/broadcasttransaction", "{}")).Error), /neither raw_data_hex nor raw_data/);
    assert.match(String((await post("/wallet/broadcasthex", '{"transaction":"zz"}')).Error), /not a valid protocol.Transaction/);
    assert.match(String((await post("/wallet/getaccount", '{"address":"T123"}')).Error), /INVALID address/);
    assert.match(String((await post("/wallet/getblockbynum", '{"num":"9223372036854775808"}')).Error), /outside int64/);
    assert.deepEqual(await post("/wallet/gettransactionbyid", `{"value":"${"ab".repeat(32)}"}`), {});
    assert.deepEqual(await post("/wallet/getaccount", `{"address":"${TronWeb.createRandom().address}","visible":true}`), {});
    assert.deepEqual(await post("/wallet/getassetissuebyid", '{"value":"1000001"}'), {});
    await assert.rejects(h.tronWeb.trx.getTransaction("ab".repeat(32)), /Transaction not found/);
  });
});
