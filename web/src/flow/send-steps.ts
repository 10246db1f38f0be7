// Sends the steps the API built, in order, from the connected wallet: each EVM step is sent and waited
// for (an approval must be mined before the swap that spends it); the TRON deposit is signed and sent
// through POST /v1/broadcast. Before signing, each step is checked to be what was asked for.
import type { ApiClient } from "../api/client.ts";
import type { Built, EvmStep, TronStep } from "../api/types.ts";
import type { EvmChainEntry } from "../wallet/evm-chains.ts";
import { chainFor } from "../wallet/evm-send.ts";
import type { EvmWallet, TronWallet } from "../wallet/types.ts";

export type StepState = "waiting" | "signing" | "confirming" | "done" | "failed";

export interface StepProgress {
  action: string;
  description: string;
  chain: string;
  state: StepState;
  txHash: string | null;
}

export interface SendContext {
  api: ApiClient;
  evmChains: EvmChainEntry[];
  evm: EvmWallet | null;
  tron: TronWallet | null;
  /** The chain the steps run on (the form's "From"), and the amount in its base units. */
  chain: string;
  amount: bigint;
  onProgress(steps: StepProgress[]): void;
}

/** Sends every step; returns the last transaction's hash (the one that starts the transfer). */
export async function sendSteps(built: Built, ctx: SendContext): Promise<string> {
  const progress: StepProgress[] = built.steps.map((s) => ({
    action: s.action,
    description: s.description,
    chain: ctx.chain,
    state: "waiting",
    txHash: null,
  }));
  const update = (i: number, patch: Partial<StepProgress>) => {
    progress[i] = { ...progress[i]!, ...patch };
    ctx.onProgress([...progress]);
  };
  ctx.onProgress([...progress]);
  let last = "";
  for (const [i, step] of built.steps.entries()) {
    update(i, { state: "signing" });
    try {
      last =
        step.family === "evm"
          ? await sendEvm(step, ctx, (hash) => update(i, { state: "confirming", txHash: hash }))
          : await sendTron(step, ctx);
      update(i, { state: "done", txHash: last });
    } catch (error) {
      update(i, { state: "failed" });
      throw error;
    }
  }
  return last;
}

async function sendEvm(step: EvmStep, ctx: SendContext, sent: (hash: string) => void): Promise<string> {
  const wallet = ctx.evm;
  if (!wallet) throw new Error("Connect an EVM wallet first.");
  const tx = step.transaction;
  if (tx.from.toLowerCase() !== wallet.address.toLowerCase()) {
    throw new Error(`The API built this step for ${tx.from}, but the connected account is ${wallet.address}; nothing was signed.`);
  }
  const entry = chainFor(ctx.evmChains, tx.chainId);
  if (entry.name !== ctx.chain) throw new Error(`The API built this step for ${entry.name}, not ${ctx.chain}; nothing was signed.`);
  const hash = await wallet.send(tx);
  sent(hash);
  const receipt = await entry.client.waitForTransactionReceipt({ hash: hash, timeout: 120_000 });
  if (receipt.status !== "success") throw new Error(`The ${step.action} transaction ${hash} failed on ${entry.name}.`);
  return hash;
}

async function sendTron(step: TronStep, ctx: SendContext): Promise<string> {
  const wallet = ctx.tron;
  if (!wallet) throw new Error("Connect a TRON wallet (TronLink) first.");
  const contract = (
    step.transaction.raw_data as { contract?: { parameter?: { value?: { amount?: number | string; owner_address?: string } } }[] }
  ).contract?.[0]?.parameter?.value;
  if (contract?.amount === undefined || BigInt(contract.amount) !== ctx.amount) {
    throw new Error("The TRON transaction the API built does not send the amount you entered; nothing was signed.");
  }
  const signed = await wallet.sign(step.transaction);
  const { txHash } = await ctx.api.broadcast("tron", signed);
  return txHash;
}
