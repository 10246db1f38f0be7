// Whether a TRON deposit of the swapped token was swapped, from the chains alone: the BTTC gateway's
// `isDelivered` for the deposit's transfer, or a black-hole burn from the deposit account whose memo
// (`BURN:…`) names it — the forwarder burns only delivered swaps. Decoding the deposit with today's rules
// cannot tell: a swap delivered under a lower `minimumUnits` decodes as "under the minimum" once the
// minimum is raised, and refunding it would pay the user twice. Refunds and the refund list ask here.
import type { EvmChainConfig } from "../config.ts";
import { contractInterface } from "../../common/contracts/artifacts.ts";
import { TRON_BLACK_HOLE, parseBurnMemo } from "../chains/tron/burn-forwarder.ts";
import type { OutgoingTransfer, TronSource } from "../chains/tron/source.ts";
import { createEvmProvider } from "../../common/rpc/evm-provider.ts";
import { withRpcRetry } from "../chains/evm/rpc.ts";
import { DEFAULT_RETRY } from "../../common/rpc/retry.ts";

/** The chain swaps are delivered on (BTTC), as the relayer configuration has it. */
export type SwapChain = Pick<EvmChainConfig, "name" | "chainId" | "rpcUrl" | "gateway">;

/** Deposit tx id (64 hex digits, no 0x) → the burn transaction naming it, from the deposit account's
 * outgoing transfers (any block, solidified or not). */
export function burnsIn(outgoing: readonly OutgoingTransfer[]): Map<string, string> {
  const burns = new Map<string, string>();
  for (const out of outgoing) {
    if (out.to !== TRON_BLACK_HOLE) continue;
    for (const id of parseBurnMemo(out.memo) ?? []) burns.set(id, out.txId);
  }
  return burns;
}

export class BttcDeliveries {
  private readonly source: TronSource;
  private readonly chain: SwapChain;
  private readonly provider: ReturnType<typeof createEvmProvider>;

  constructor(source: TronSource, chain: SwapChain) {
    this.source = source;
    this.chain = chain;
    this.provider = createEvmProvider(chain);
  }

  /** Whether the swap of TRON deposit `depositTxId` (64 hex digits) is delivered on the swap chain. */
  async isDelivered(depositTxId: string): Promise<boolean> {
    const gateway = contractInterface("BttcGateway");
    const data = gateway.encodeFunctionData("isDelivered", [this.source.chainId, this.source.srcGateway, `0x${depositTxId}`]);
    const answer = await withRpcRetry(() => this.provider.call({ to: this.chain.gateway, data }), {
      ...DEFAULT_RETRY,
      chain: this.chain.name,
      operation: "isDelivered",
    });
    return gateway.decodeFunctionResult("isDelivered", answer)[0] as boolean;
  }

  /** Why `depositTxId` counts as swapped, or null if neither chain says it was. */
  async swappedBecause(depositTxId: string, burns: ReadonlyMap<string, string>): Promise<string | null> {
    const burn = burns.get(depositTxId);
    if (burn !== undefined) return `its BTTOLD was burned by transaction ${burn}`;
    if (await this.isDelivered(depositTxId)) return `it is delivered on ${this.chain.name}`;
    return null;
  }

  destroy(): void {
    this.provider.destroy();
  }
}
