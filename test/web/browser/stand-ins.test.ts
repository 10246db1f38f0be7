// The browser tests' wallet stand-ins, tested in Node without a browser so that a failure there points at
// the wallet and not at the page: the EIP-1193 wallet against two real `hardhat node`s (BTTC under
// Berlin rules, Ethereum under Prague), the TronLink stand-in against the TRON development node. Checked
// on chain: what is sent is sent once, by the demo key, as the fee type the chain takes (legacy with the
// given gasPrice on BTTC), and moves exactly the value asked; signatures recover to the demo address;
// nothing is signed before the page was granted the account, nor for another address.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JsonRpcProvider, Wallet, hexlify, toBeHex, toUtf8Bytes, verifyMessage, verifyTypedData } from "ethers";
import { TronWeb } from "tronweb";
import { EvmTestWallet } from "../../../testkit/browser/evm-wallet.ts";
import { TronTestWallet } from "../../../testkit/browser/tron-wallet.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../../testkit/constants.ts";
import { startHardhatNode, type HardhatNode } from "../../../testkit/hardhat-node.ts";
import { BTTOLD, startTestNode, type TestNode } from "../../../devnet/tron/testing.ts";

const KEY = DEV_KEYS[7];
const OTHER = new Wallet(DEV_KEYS[8]).address;

describe("EIP-1193 test wallet (Node half) against hardhat nodes", { timeout: 180_000 }, () => {
  let bttc: HardhatNode;
  let ethereum: HardhatNode;
  let wallet: EvmTestWallet;
  let bttcRpc: JsonRpcProvider;
  let ethereumRpc: JsonRpcProvider;

  before(async () => {
    [bttc, ethereum] = await Promise.all([
      startHardhatNode({ chainId: CHAIN_IDS.bttc }),
      startHardhatNode({ chainId: CHAIN_IDS.ethereum }),
    ]);
    wallet = new EvmTestWallet(KEY, [
      { chainId: CHAIN_IDS.bttc, rpcUrl: bttc.url },
      { chainId: CHAIN_IDS.ethereum, rpcUrl: ethereum.url },
    ]);
    bttcRpc = new JsonRpcProvider(bttc.url, undefined, { cacheTimeout: -1 });
    ethereumRpc = new JsonRpcProvider(ethereum.url, undefined, { cacheTimeout: -1 });
  });
  after(async () => {
    wallet?.close();
    bttcRpc?.destroy();
    ethereumRpc?.destroy();
    await Promise.all([bttc?.stop(), ethereum?.stop()]);
  });

  it("grants nothing before eth_requestAccounts: no account, no transaction, no signature", async () => {
    assert.deepEqual(await wallet.handle({ method: "eth_accounts" }), { result: [] });
    const nonce = await bttcRpc.getTransactionCount(wallet.address);
    const send = await wallet.handle({ method: "eth_sendTransaction", params: [{ from: wallet.address, to: OTHER, value: "0x1" }] });
    assert.equal(send.error?.code, 4100);
    const sign = await wallet.handle({ method: "personal_sign", params: [hexlify(toUtf8Bytes("hi")), wallet.address] });
    assert.equal(sign.error?.code, 4100);
    assert.equal(await bttcRpc.getTransactionCount(wallet.address), nonce);
    assert.equal(wallet.sent.length, 0);
  });

  it("connects: eth_requestAccounts answers the demo address and emits accountsChanged once", async () => {
    const first = await wallet.handle({ method: "eth_requestAccounts" });
    assert.deepEqual(first.result, [wallet.address]);
    assert.deepEqual(first.events, [["accountsChanged", [wallet.address]]]);
    assert.deepEqual((await wallet.handle({ method: "eth_requestAccounts" })).events, []);
    assert.deepEqual(await wallet.handle({ method: "eth_accounts" }), { result: [wallet.address] });
    assert.equal((await wallet.handle({ method: "eth_chainId" })).result, toBeHex(CHAIN_IDS.bttc));
  });

  it("sends a BTTC transaction as legacy (type 0) with the gasPrice given, moving exactly the value", async () => {
    const gasPrice = (await bttcRpc.getFeeData()).gasPrice! + 7n;
    const before = await bttcRpc.getBalance(OTHER);
    const nonce = await bttcRpc.getTransactionCount(wallet.address);
    const answer = await wallet.handle({
      method: "eth_sendTransaction",
      params: [{ from: wallet.address.toLowerCase(), to: OTHER, value: toBeHex(12345n), type: "0x0", gasPrice: toBeHex(gasPrice) }],
    });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    const receipt = (await bttcRpc.waitForTransaction(answer.result as string, 1, 30_000))!;
    assert.equal(receipt.status, 1);
    const tx = (await bttcRpc.getTransaction(receipt.hash))!;
    assert.equal(tx.type, 0);
    assert.equal(tx.gasPrice, gasPrice);
    assert.equal(tx.from, wallet.address);
    assert.equal(tx.nonce, nonce);
    assert.equal((await bttcRpc.getBalance(OTHER)) - before, 12345n);
    assert.deepEqual(
      wallet.sent.map((s) => [s.chainId, s.hash, s.type]),
      [[CHAIN_IDS.bttc, receipt.hash, 0]],
    );
  });

  it("picks legacy fees on BTTC when the page gives no fee fields (Berlin: no base fee)", async () => {
    const answer = await wallet.handle({ method: "eth_sendTransaction", params: [{ to: OTHER, value: "0x1" }] });
    const receipt = (await bttcRpc.waitForTransaction(answer.result as string, 1, 30_000))!;
    assert.equal((await bttcRpc.getTransaction(receipt.hash))!.type, 0);
  });

  it("refuses a transaction from another address, or for another chain, and sends nothing", async () => {
    const nonce = await bttcRpc.getTransactionCount(wallet.address);
    const sent = wallet.sent.length;
    const otherFrom = await wallet.handle({ method: "eth_sendTransaction", params: [{ from: OTHER, to: OTHER, value: "0x1" }] });
    assert.equal(otherFrom.error?.code, 4100);
    const otherChain = await wallet.handle({
      method: "eth_sendTransaction",
      params: [{ to: OTHER, value: "0x1", chainId: toBeHex(CHAIN_IDS.ethereum) }],
    });
    assert.equal(otherChain.error?.code, -32602);
    assert.equal(await bttcRpc.getTransactionCount(wallet.address), nonce);
    assert.equal(wallet.sent.length, sent);
  });

  it("passes read calls to the current chain's RPC", async () => {
    const answer = await wallet.handle({ method: "eth_getBalance", params: [OTHER, "latest"] });
    assert.equal(BigInt(answer.result as string), await bttcRpc.getBalance(OTHER));
    const block = await wallet.handle({ method: "eth_blockNumber" });
    assert.ok(BigInt(block.result as string) >= 1n);
  });

  it("switches chain (chainChanged), refuses an unknown one with 4902, and sends EIP-1559 on Ethereum", async () => {
    const unknown = await wallet.handle({ method: "wallet_switchEthereumChain", params: [{ chainId: "0x1" }] });
    assert.equal(unknown.error?.code, 4902);
    const switched = await wallet.handle({ method: "wallet_switchEthereumChain", params: [{ chainId: toBeHex(CHAIN_IDS.ethereum) }] });
    assert.deepEqual(switched, { result: null, events: [["chainChanged", toBeHex(CHAIN_IDS.ethereum)]] });
    assert.equal((await wallet.handle({ method: "eth_chainId" })).result, toBeHex(CHAIN_IDS.ethereum));
    const before = await ethereumRpc.getBalance(OTHER);
    const answer = await wallet.handle({ method: "eth_sendTransaction", params: [{ from: wallet.address, to: OTHER, value: "0x64" }] });
    const receipt = (await ethereumRpc.waitForTransaction(answer.result as string, 1, 30_000))!;
    assert.equal((await ethereumRpc.getTransaction(receipt.hash))!.type, 2);
    assert.equal((await ethereumRpc.getBalance(OTHER)) - before, 100n);
    const added = await wallet.handle({
      method: "wallet_addEthereumChain",
      params: [{ chainId: toBeHex(CHAIN_IDS.bttc), rpcUrls: [bttc.url] }],
    });
    assert.deepEqual(added.events, [["chainChanged", toBeHex(CHAIN_IDS.bttc)]]);
  });

  it("signs personal_sign and eth_signTypedData_v4 with the demo key", async () => {
    const message = "BTT Bridge test";
    const signature = await wallet.handle({ method: "personal_sign", params: [hexlify(toUtf8Bytes(message)), wallet.address] });
    assert.equal(verifyMessage(message, signature.result as string), wallet.address);
    const typed = {
      domain: { name: "Permit test", version: "1", chainId: Number(CHAIN_IDS.bttc), verifyingContract: OTHER },
      types: {
        EIP712Domain: [
          { name: "name", type: "string" },
          { name: "version", type: "string" },
          { name: "chainId", type: "uint256" },
          { name: "verifyingContract", type: "address" },
        ],
        Permit: [
          { name: "owner", type: "address" },
          { name: "value", type: "uint256" },
        ],
      },
      primaryType: "Permit",
      message: { owner: wallet.address, value: "1000000000000000000000" },
    };
    const answer = await wallet.handle({ method: "eth_signTypedData_v4", params: [wallet.address, JSON.stringify(typed)] });
    const types = { Permit: typed.types.Permit };
    assert.equal(verifyTypedData(typed.domain, types, typed.message, answer.result as string), wallet.address);
    const forOther = await wallet.handle({ method: "eth_signTypedData_v4", params: [OTHER, JSON.stringify(typed)] });
    assert.equal(forOther.error?.code, 4100);
  });
});

describe("TronLink test wallet (Node half) against the TRON development node", { timeout: 60_000 }, () => {
  let tron: TestNode;
  let wallet: TronTestWallet;
  let to: string;

  before(async () => {
    tron = await startTestNode();
    wallet = new TronTestWallet(tron.accounts[3]!.privateKey, tron.node.url);
    to = tron.accounts[4]!.base58;
  });
  after(async () => {
    await tron?.node.close();
  });

  async function tokenBalance(address: string): Promise<bigint> {
    const account = (await tron.tronWeb.trx.getAccount(address)) as { assetV2?: { key: string; value: number }[] };
    return BigInt(account.assetV2?.find((a) => a.key === BTTOLD)?.value ?? 0);
  }

  it("is the demo key's address, in base58 and 41-hex", () => {
    assert.equal(wallet.base58, tron.accounts[3]!.base58);
    assert.equal(wallet.hex, TronWeb.address.toHex(tron.accounts[3]!.base58));
  });

  it("signs nothing before tron_requestAccounts", async () => {
    const tx = await wallet.handle({ path: "transactionBuilder.sendToken", args: [to, 5, BTTOLD, wallet.base58] });
    assert.equal(tx.error, undefined);
    const signed = await wallet.handle({ path: "trx.sign", args: [tx.result] });
    assert.match(signed.error ?? "", /tron_requestAccounts/);
    assert.deepEqual(wallet.signed, []);
  });

  it("builds, memos, signs with the demo key (never a key the page passes) and broadcasts a TRC-10 transfer", async () => {
    assert.deepEqual(await wallet.handle({ path: "connect", args: [] }), { result: wallet.base58 });
    for (let i = 0; i < 4; i++) tron.node.mine();
    const before = await tokenBalance(to);
    const built = await wallet.handle({ path: "transactionBuilder.sendToken", args: [to, 5, BTTOLD, wallet.base58] });
    const memoed = await wallet.handle({
      path: "transactionBuilder.addUpdateData",
      args: [built.result, "memo", "utf8", { txLocal: true }],
    });
    // A page passing its own key as TronWeb allows: the wallet still signs with its own.
    const otherKey = tron.accounts[5]!.privateKey.replace(/^0x/, "");
    const signed = await wallet.handle({ path: "trx.sign", args: [memoed.result, otherKey] });
    assert.equal(signed.error, undefined, signed.error);
    assert.equal(tron.tronWeb.trx.ecRecover(signed.result as Parameters<TronWeb["trx"]["ecRecover"]>[0]), wallet.base58);
    const sent = await wallet.handle({ path: "trx.sendRawTransaction", args: [signed.result] });
    assert.equal((sent.result as { result?: boolean }).result, true, JSON.stringify(sent));
    // getAccount reads solidified state: mine past the node's solidity depth (3).
    for (let i = 0; i < 4; i++) tron.node.mine();
    assert.equal((await tokenBalance(to)) - before, 5n);
    const id = (signed.result as { txID: string }).txID;
    assert.deepEqual(wallet.signed, [id]);
    assert.deepEqual(wallet.broadcast, [id]);
  });

  it("refuses what TronLink's page API does not offer", async () => {
    const answer = await wallet.handle({ path: "trx.freezeBalanceV2", args: [] });
    assert.match(answer.error ?? "", /does not offer tronWeb\.trx\.freezeBalanceV2/);
  });
});
