// Which kind of transaction to send on a chain (docs/operations.md, "Fees"): a chain under Berlin rules
// (BTTC) has no base fee and refuses EIP-1559 (type 2) transactions, so what sends there pays a legacy
// `gasPrice` (type 0). The relayer's payer decides from its fee data (relayer/chains/evm/payer), the
// deployer through ethers (deploy/signer.ts); the API asks here for the transactions it builds.
import type { Provider } from "ethers";
import { BridgeError } from "../errors.ts";
import type { FeeType } from "./config.ts";

/** The node gave no fee data to send with (retryable: a node catching up). */
export class FeeDataError extends BridgeError<"NO_FEE_DATA"> {}

/** Whether to send legacy transactions: as configured, or (`auto`) when the latest block has no base fee. */
export async function sendsLegacy(provider: Provider, type: FeeType = "auto"): Promise<boolean> {
  if (type !== "auto") return type === "legacy";
  const block = await provider.getBlock("latest");
  if (!block) throw new FeeDataError("NO_FEE_DATA", "the node returned no latest block", { retryable: true });
  return block.baseFeePerGas === null;
}

/** The node's gas price where the chain takes legacy transactions only (see sendsLegacy); null elsewhere. */
export async function legacyGasPrice(provider: Provider, type: FeeType = "auto"): Promise<bigint | null> {
  if (!(await sendsLegacy(provider, type))) return null;
  const { gasPrice } = await provider.getFeeData();
  if (gasPrice === null) throw new FeeDataError("NO_FEE_DATA", "the node gave no gas price", { retryable: true });
  return gasPrice;
}
