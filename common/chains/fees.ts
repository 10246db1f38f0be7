// Which kind of transaction to send on a chain (docs/operations.md, "Fees"): a chain under Berlin rules
// (BTTC) refuses EIP-1559 (type 2) transactions, so everything that sends there — the relayer, deploy, the
// devnet's funding, the API's unsigned transactions, the CLI — asks here, and pays a `gasPrice` (type 0).
import type { Provider } from "ethers";
import { BridgeError } from "../errors.ts";
import type { FeeType } from "./config.ts";

/** The node gave no fee data to send with (retryable: a node catching up), or none of the configured kind
 * (not retryable: the configuration contradicts the chain). */
export class FeeDataError extends BridgeError<"NO_FEE_DATA" | "NO_BASE_FEE"> {}

/** The fee fields of a transaction: a legacy gasPrice, or EIP-1559's two. */
export type FeeFields = { type: 0; gasPrice: bigint } | { type: 2; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** Whether to send legacy transactions: as configured, or (`auto`) when the latest block has no base fee. */
export async function sendsLegacy(provider: Provider, type: FeeType = "auto"): Promise<boolean> {
  if (type !== "auto") return type === "legacy";
  const block = await provider.getBlock("latest");
  if (!block) throw new FeeDataError("NO_FEE_DATA", "the node returned no latest block", { retryable: true });
  return block.baseFeePerGas === null;
}

/**
 * The fees to send with now, from the node's fee data: a gasPrice on a legacy chain, EIP-1559 fees
 * otherwise (ethers' suggestion: twice the base fee plus the tip).
 */
export async function currentFees(provider: Provider, type: FeeType = "auto"): Promise<FeeFields> {
  const [legacy, data] = await Promise.all([sendsLegacy(provider, type), provider.getFeeData()]);
  if (legacy) {
    if (data.gasPrice === null) throw new FeeDataError("NO_FEE_DATA", "the node gave no gas price", { retryable: true });
    return { type: 0, gasPrice: data.gasPrice };
  }
  if (data.maxFeePerGas === null || data.maxPriorityFeePerGas === null) {
    throw new FeeDataError("NO_BASE_FEE", "EIP-1559 fees configured, but the node's latest block has no base fee", {
      details: 'set the chain\'s "fees": { "type": "legacy" } (or "auto")',
    });
  }
  return { type: 2, maxFeePerGas: data.maxFeePerGas, maxPriorityFeePerGas: data.maxPriorityFeePerGas };
}
