// Transactions are decoded exactly: the id is sha256 of the bytes that were signed, and amounts beyond
// 2^53 (which TronWeb's own protobuf reader and JSON numbers cannot hold) go through to the balances
// digit for digit. The transactions here are encoded by hand, independently of the node's encoder.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SigningKey, sha256 } from "ethers";
import { TronWeb } from "tronweb";
import {
  completeGenesis,
  hardhatAccounts,
  DEV_WITNESS_PRIVATE_KEY,
  HARDHAT_MNEMONIC,
  type DevAccount,
} from "../../../devnet/tron/genesis.ts";
import { BTTOLD_TOKEN } from "../../../devnet/tron/asset.ts";
import { MAINNET_PARAMETERS } from "../../../devnet/tron/params.ts";
import { TransactionFormatError, decodeTransaction, decodeTransactionJson } from "../../../devnet/tron/transaction.ts";
import { startTronDevNode, type TronDevNode } from "../../../devnet/tron/node.ts";

const varint = (value: bigint): string => {
  let out = "";
  for (let rest = value; ; rest >>= 7n) {
    if (rest < 0x80n) return out + rest.toString(16).padStart(2, "0");
    out += ((rest & 0x7fn) | 0x80n).toString(16).padStart(2, "0");
  }
};
const field = (key: number, hex: string) => varint(BigInt(key << 3) | 2n) + varint(BigInt(hex.length / 2)) + hex;
const int = (key: number, value: bigint) => varint(BigInt(key << 3)) + varint(value);
const text = (value: string) => Buffer.from(value, "utf8").toString("hex");

/** protocol.Transaction.raw with one TransferContract (Tron.proto, balance_contract.proto). */
function transferRaw(owner: string, to: string, amount: bigint, ref: { bytes: string; hash: string; time: bigint }): string {
  const value = field(1, owner) + field(2, to) + int(3, amount);
  const any = field(1, text("type.googleapis.com/protocol.TransferContract")) + field(2, value);
  const contract = int(1, 1n) + field(2, any);
  return field(1, ref.bytes) + field(4, ref.hash) + int(8, ref.time + 60_000n) + field(11, contract) + int(14, ref.time);
}

function sign(rawHex: string, privateKey: string): string {
  return new SigningKey(privateKey).sign(sha256(`0x${rawHex}`)).serialized.slice(2);
}

describe("TRON transaction decoding", () => {
  const [whale, minnow] = hardhatAccounts(HARDHAT_MNEMONIC, 2) as [DevAccount, DevAccount];
  const huge = 2n ** 62n + 12_345n;
  let node: TronDevNode;
  before(async () => {
    const genesis = completeGenesis({
      timestamp: 1_700_000_000_000n,
      witnessPrivateKey: DEV_WITNESS_PRIVATE_KEY,
      parameters: MAINNET_PARAMETERS,
      tokens: [BTTOLD_TOKEN],
      accounts: [
        { address: whale.address, balance: 2n ** 63n - 1n, assets: new Map() },
        { address: minnow.address, balance: 1n, assets: new Map() },
      ],
    });
    node = await startTronDevNode({ port: 0, mining: "manual", solidityDepth: 0, genesis });
    node.mine();
  });
  after(async () => node.close());

  it("reads int64 amounts beyond 2^53 exactly and takes the id from the signed bytes", () => {
    const raw = transferRaw(whale.address, minnow.address, huge, { bytes: "0001", hash: "00".repeat(8), time: 1n });
    const tx = decodeTransaction(Buffer.from(raw, "hex"), []);
    assert.equal(tx.contracts[0]?.value?.amount, huge);
    assert.equal(tx.id, sha256(`0x${raw}`).slice(2));
    assert.equal(tx.expiration, 60_001n);
  });

  it("encodes a body without raw_data_hex from its raw_data with TronWeb, to the id TronWeb computed", async () => {
    const tronWeb = new TronWeb({ fullHost: node.url, privateKey: whale.privateKey.slice(2) });
    const tx = await tronWeb.transactionBuilder.sendTrx(minnow.base58, 5, whale.base58);
    const withoutHex: Record<string, unknown> = { ...tx };
    delete withoutHex.raw_data_hex;
    assert.equal(decodeTransactionJson(withoutHex).id, tx.txID);
    assert.throws(() => decodeTransactionJson({ raw_data_hex: "0a02zz" }), TransactionFormatError);
    assert.throws(() => decodeTransaction(Buffer.from("5a05010203", "hex"), []), TransactionFormatError);
  });

  it("moves 2^62 + 12345 sun exactly, as int64_as_string shows", async () => {
    const head = (await (await fetch(`${node.url}/wallet/getnowblock`)).json()) as {
      blockID: string;
      block_header: { raw_data: { timestamp: number } };
    };
    const raw = transferRaw(whale.address, minnow.address, huge, {
      bytes: head.blockID.slice(12, 16),
      hash: head.blockID.slice(16, 32),
      time: BigInt(head.block_header.raw_data.timestamp),
    });
    const response = await fetch(`${node.url}/wallet/broadcasttransaction`, {
      method: "POST",
      body: JSON.stringify({ raw_data_hex: raw, signature: [sign(raw, whale.privateKey)] }),
    });
    const result = (await response.json()) as { result?: boolean; txid: string };
    assert.equal(result.result, true);
    node.mine();

    const balance = async (address: string) => {
      const url = `${node.url}/walletsolidity/getaccount?address=${address}&int64_as_string=true`;
      return ((await (await fetch(url)).json()) as { balance: string }).balance;
    };
    assert.equal(await balance(minnow.address), (huge + 1n).toString());
    // The whale paid the amount and, past its first free bandwidth, nothing else.
    assert.equal(await balance(whale.address), (2n ** 63n - 1n - huge).toString());
    const stored = (await (await fetch(`${node.url}/wallet/gettransactionbyid?value=${result.txid}&int64_as_string=true`)).json()) as {
      raw_data: { contract: { parameter: { value: { amount: string } } }[] };
    };
    assert.equal(stored.raw_data.contract[0]?.parameter.value.amount, huge.toString());
  });
});
