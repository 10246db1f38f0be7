// For tests against the TRON development node (its own, and those of code that talks to TRON): a node
// on a free port that makes blocks only when asked, TronWeb clients for its funded accounts, and
// transfers built, given a memo and signed by TronWeb as a wallet does.
import { TronWeb, type Types } from "tronweb";
import { BTTOLD_TOKEN } from "./asset.ts";
import { hardhatAccounts, HARDHAT_MNEMONIC, type DevAccount } from "./genesis.ts";
import { startTronDevNode, type TronDevNode, type TronDevNodeOptions } from "./node.ts";

export const BTTOLD = BTTOLD_TOKEN.id;

export type SignedTransaction = Types.SignedTransaction;

export interface TestNode {
  readonly node: TronDevNode;
  /** Hardhat's first 10 development accounts, funded by the default genesis. */
  readonly accounts: readonly DevAccount[];
  /** A TronWeb client of the node whose default key is the first account's. */
  readonly tronWeb: TronWeb;
  /** A TronWeb client of the node whose default key is `account`'s. */
  client(account: { readonly privateKey: string }): TronWeb;
}

/** A node on a free port, mining on demand, solidifying 3 blocks deep unless `options` say otherwise. */
export async function startTestNode(options: TronDevNodeOptions = {}): Promise<TestNode> {
  const node = await startTronDevNode({ port: 0, mining: "manual", solidityDepth: 3, ...options });
  const accounts = hardhatAccounts(HARDHAT_MNEMONIC, 10);
  const client = (account: { readonly privateKey: string }) =>
    new TronWeb({ fullHost: node.url, privateKey: account.privateKey.replace(/^0x/, "") });
  return { node, accounts, tronWeb: client(accounts[0]!), client };
}

/** A TRX transfer from the client's account, built, given a memo and signed by TronWeb. */
export async function signedTrx(client: TronWeb, to: string, sun: number, memo?: string): Promise<SignedTransaction> {
  const from = client.defaultAddress.base58 as string;
  let tx: Types.Transaction = await client.transactionBuilder.sendTrx(to, sun, from);
  if (memo !== undefined) tx = await client.transactionBuilder.addUpdateData(tx, memo, "utf8", { txLocal: true });
  return client.trx.sign(tx);
}

/** A BTTOLD (TRC-10 1002000) transfer from the client's account, built, given a memo and signed. */
export async function signedToken(client: TronWeb, to: string, units: number, memo?: string): Promise<SignedTransaction> {
  const from = client.defaultAddress.base58 as string;
  let tx: Types.Transaction = await client.transactionBuilder.sendToken(to, units, BTTOLD, from);
  if (memo !== undefined) tx = await client.transactionBuilder.addUpdateData(tx, memo, "utf8", { txLocal: true });
  return client.trx.sign(tx);
}

/** A signed transaction as one `protocol.Transaction` in hex, as `wallet/broadcasthex` takes it:
 * raw_data (field 1) and each signature (field 2), length-delimited. */
export function signedHex(tx: SignedTransaction): string {
  const varint = (n: number): string => {
    let out = "";
    for (let rest = n; ; rest >>= 7) {
      if (rest < 0x80) return out + rest.toString(16).padStart(2, "0");
      out += ((rest & 0x7f) | 0x80).toString(16).padStart(2, "0");
    }
  };
  const field = (key: string, hex: string) => `${key}${varint(hex.length / 2)}${hex}`;
  return field("0a", tx.raw_data_hex) + tx.signature.map((sig) => field("12", sig)).join("");
}

/** An account's TRC-10 balance as java-tron lists it in `assetV2` (0 when absent). */
export function tokenBalance(account: { assetV2?: { key: string; value: number }[] }, id: string = BTTOLD): number {
  return account.assetV2?.find((entry) => entry.key === id)?.value ?? 0;
}

/** A broadcast refusal's `message` as java-tron sends it by default (UTF-8 text in hex), as text. */
export function messageText(hex: string): string {
  return Buffer.from(hex, "hex").toString("utf8");
}
