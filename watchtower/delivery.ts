// The transfers a delivery transaction carried: the TransfersDelivered event names ids only, so the
// fields come from the calldata of the gateway's deliver/deliverBatch call. A transaction sent straight
// to the gateway has that calldata itself; one made through another contract (a multisig, a batcher, an
// attacker's wrapper) has it in an inner call, found in the node's call trace (callTracer). Calls that
// failed, and everything under them, changed nothing and are left out.
import type { Transfer } from "../common/transfer.ts";
import { decodeDelivery, type DecodedDelivery } from "../common/contracts/delivery-calldata.ts";
import type { CallFrame, EvmChain } from "./evm.ts";

export type DeliveredTransfers =
  { readable: true; transfers: Map<string, Transfer>; via: "calldata" | "trace" } | { readable: false; reason: string };

/** Every deliver/deliverBatch call to `gateway` that succeeded in a call tree, outermost first. */
export function deliveryCalls(frame: CallFrame, gateway: string, dstChainId: bigint): DecodedDelivery[] {
  if (frame.error) return [];
  const out: DecodedDelivery[] = [];
  if (frame.to?.toLowerCase() === gateway.toLowerCase() && frame.input && frame.type !== "DELEGATECALL" && frame.type !== "STATICCALL") {
    const decoded = decodeDelivery(frame.input, dstChainId);
    if (decoded) out.push(decoded);
  }
  for (const call of frame.calls ?? []) out.push(...deliveryCalls(call, gateway, dstChainId));
  return out;
}

/** The transfers (by id) that the transaction `hash` delivered to `chain`'s gateway. */
export async function deliveredTransfers(chain: EvmChain, hash: string): Promise<DeliveredTransfers> {
  const tx = await chain.transaction(hash);
  let deliveries: DecodedDelivery[] = [];
  let via: "calldata" | "trace" = "calldata";
  const direct = tx.to?.toLowerCase() === chain.config.gateway.toLowerCase() ? decodeDelivery(tx.data, chain.chainId) : null;
  if (direct) {
    deliveries = [direct];
  } else {
    const trace = await chain.trace(hash);
    if (!trace) return { readable: false, reason: `delivered through ${tx.to ?? "a contract creation"}, and the node gives no call trace` };
    deliveries = deliveryCalls(trace, chain.config.gateway, chain.chainId);
    via = "trace";
  }
  const transfers = new Map<string, Transfer>();
  for (const d of deliveries) d.transfers.forEach((t, i) => transfers.set(d.ids[i]!, t));
  return { readable: true, transfers, via };
}
