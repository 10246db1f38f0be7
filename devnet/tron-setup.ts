// TRON on the devnet: the development node's arguments, and the TRX the redenomination deposit
// account needs to pay for refunds and for sending swapped BTTOLD to the black hole.
import { TronWeb } from "tronweb";
import { fromEvmAddress, toBase58 } from "../common/tron/address.ts";
import { hardhatAccount, DEPLOYER_INDEX } from "./accounts.ts";
import { DevnetError } from "./errors.ts";

export const TRON_SOLIDITY_DEPTH = 3;
/** TRX (in sun) given to the deposit account at start: bandwidth for refunds and burns. */
export const DEPOSIT_ACCOUNT_SUN = 10_000n * 1_000_000n;

export function tronBase58(evmAddress: string): string {
  return toBase58(fromEvmAddress(evmAddress));
}

export function tronNodeArgs(host: string, port: number, blockTimeMs: number): string[] {
  return [
    "--host",
    host,
    "--port",
    String(port),
    "--block-interval-ms",
    String(blockTimeMs),
    "--solidity-depth",
    String(TRON_SOLIDITY_DEPTH),
    "--log-level",
    "warn",
  ];
}

export async function tronReady(fullHost: string): Promise<boolean> {
  const response = await fetch(`${fullHost}/wallet/getnowblock`, { method: "POST", body: "{}" });
  return response.ok && typeof ((await response.json()) as { blockID?: unknown }).blockID === "string";
}

/** Sends the deposit account its TRX from demo account 0, and waits until the node has it. */
export async function fundDepositAccount(fullHost: string, depositEvmAddress: string): Promise<void> {
  const funder = hardhatAccount(DEPLOYER_INDEX);
  const tronWeb = new TronWeb({ fullHost, privateKey: funder.privateKey.slice(2) });
  const to = tronBase58(depositEvmAddress);
  const result = await tronWeb.trx.sendTransaction(to, Number(DEPOSIT_ACCOUNT_SUN));
  if (!result.result) throw new DevnetError("TRON_FUNDING_FAILED", `funding the TRON deposit account failed: ${JSON.stringify(result)}`);
  const deadline = Date.now() + 20_000;
  while (BigInt(await tronWeb.trx.getBalance(to)) < DEPOSIT_ACCOUNT_SUN) {
    if (Date.now() > deadline) throw new DevnetError("TRON_FUNDING_FAILED", "the TRON deposit account's TRX did not arrive within 20 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
