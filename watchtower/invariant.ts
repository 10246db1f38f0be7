// The accounting invariant at the final blocks a round has read (common/accounting.ts judges it): each
// gateway's `accounting()` at that chain's final block, and what is in flight from the round's open set
// (sent at or below each source's final block, not delivered at or below the destination's).
import { chainStatsOf, evaluateInvariant, type InFlight, type Invariant } from "../common/accounting.ts";
import { TransferKind } from "../common/transfer.ts";
import type { EvmChain } from "./evm.ts";
import type { OpenTransfer } from "./state.ts";

/** The invariant at `blocks` (each chain's last block read), or null while a gateway is not deployed at its block yet. */
export async function invariantAt(
  chains: readonly EvmChain[],
  blocks: ReadonlyMap<string, bigint>,
  open: ReadonlyMap<string, OpenTransfer>,
  hasOtherSources: boolean,
): Promise<Invariant | null> {
  const deployed = await Promise.all(chains.map((chain) => chain.gatewayExistsAt(blocks.get(chain.name)!)));
  if (!deployed.every(Boolean)) return null;
  const stats = await Promise.all(
    chains.map(async (chain) => {
      const inFlight: InFlight = { bridge: 0n, swap: 0n, transfers: 0 };
      for (const o of open.values()) {
        if (o.srcChain !== chain.name) continue;
        if (o.kind === TransferKind.Swap) inFlight.swap += o.amount;
        else inFlight.bridge += o.amount;
        inFlight.transfers++;
      }
      return chainStatsOf(chain.name, chain.config.kind, await chain.accounting(blocks.get(chain.name)!), inFlight);
    }),
  );
  return evaluateInvariant(stats, hasOtherSources);
}
