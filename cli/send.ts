// Signing and sending what the API built: each step signed here with the user's key (the key never
// leaves this process), broadcast through the API, and waited on until its chain has included it.
import { JsonRpcProvider, Wallet } from "ethers";
import { TronWeb, type Types } from "tronweb";
import { endpointOf, type CliContext } from "./context.ts";
import { CliError } from "./errors.ts";

export interface EvmStep {
  family: "evm";
  action: string;
  description: string;
  /** `type: 0` and `gasPrice` on a chain that takes legacy transactions only (BTTC). */
  transaction: { chainId: string; from: string; to: string; data: string; value: string; type?: number; gasPrice?: string };
}
export interface TronStep {
  family: "tron";
  action: string;
  description: string;
  memo: string;
  transaction: Record<string, unknown>;
}
export type Step = EvmStep | TronStep;

export interface Built {
  quote: {
    amountIn: string;
    amountOut: string;
    fee: string;
    expectedSeconds: number;
    delayedBy: string | null;
    legacyDecimals: number | null;
  };
  steps: Step[];
  /** What the API warns of before anything is signed (a recipient that is a contract). */
  warnings?: { code: string; message: string }[];
}

/** Signs, broadcasts and waits for every step in order; returns the last step's transaction hash. */
export async function sendSteps(ctx: CliContext, chain: string, built: Built): Promise<string> {
  let last = "";
  // On stderr, so that --json output stays one JSON document; shown before anything is signed.
  for (const warning of built.warnings ?? []) process.stderr.write(`bttb: warning ${warning.code}: ${warning.message}\n`);
  for (const [i, step] of built.steps.entries()) {
    ctx.out(`  step ${i + 1}/${built.steps.length}: ${step.description}`);
    last = step.family === "evm" ? await sendEvm(ctx, chain, step) : await sendTron(ctx, chain, step);
    ctx.out(`    included: ${last}`);
  }
  return last;
}

async function sendEvm(ctx: CliContext, chain: string, step: EvmStep): Promise<string> {
  const provider = new JsonRpcProvider(endpointOf(ctx, chain), undefined, { cacheTimeout: -1, staticNetwork: true });
  try {
    const wallet = new Wallet(ctx.privateKey(), provider);
    const t = step.transaction;
    // A legacy transaction where the API says so (BTTC, under Berlin rules, refuses EIP-1559 ones); else
    // ethers picks, from the chain's latest block: EIP-1559 fees where it has a base fee, a gasPrice where not.
    const fees = t.gasPrice === undefined ? {} : { type: 0, gasPrice: BigInt(t.gasPrice) };
    const request = await wallet.populateTransaction({
      to: t.to,
      data: t.data,
      value: BigInt(t.value),
      chainId: BigInt(t.chainId),
      ...fees,
    });
    const signed = await wallet.signTransaction(request);
    const { txHash } = await ctx.api.post<{ txHash: string }>("/v1/broadcast", { chain, signedTransaction: signed });
    const receipt = await provider.waitForTransaction(txHash, 1, 120_000);
    if (!receipt || receipt.status !== 1) throw new CliError("TX_FAILED", `${step.action} ${txHash} failed on ${chain}`);
    return txHash;
  } finally {
    provider.destroy();
  }
}

async function sendTron(ctx: CliContext, chain: string, step: TronStep): Promise<string> {
  const tronWeb = new TronWeb({ fullHost: endpointOf(ctx, chain), privateKey: ctx.privateKey().replace(/^0x/, "") });
  const signed = await tronWeb.trx.sign(step.transaction as unknown as Types.Transaction);
  const { txHash } = await ctx.api.post<{ txHash: string }>("/v1/broadcast", { chain, signedTransaction: signed });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const info = (await tronWeb.trx.getTransactionInfo(txHash)) as { blockNumber?: number; receipt?: { result?: string } };
    if (info.blockNumber !== undefined) {
      if (info.receipt?.result && info.receipt.result !== "SUCCESS")
        throw new CliError("TX_FAILED", `${txHash} failed on TRON: ${info.receipt.result}`);
      return txHash;
    }
    if (Date.now() > deadline) throw new CliError("TIMEOUT", `${txHash} was not included on TRON within 120 s`, { retryable: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The sender's address on `chain` (TRON: base58), from the user's key. */
export function senderOf(ctx: CliContext, family: "evm" | "tron"): string {
  const wallet = new Wallet(ctx.privateKey());
  return family === "evm" ? wallet.address : (TronWeb.address.fromPrivateKey(wallet.privateKey.slice(2)) as string);
}
