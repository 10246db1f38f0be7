// Signing a proposed batch when peers refuse some of it: the batch is proposed again without what they
// refused, a few rounds at most, so one transfer peers will not sign never holds back the rest.
import type { Logger } from "pino";
import { routeKey } from "../../common/routes.ts";
import type { CompactSignature } from "../../common/transfer.ts";
import type { DestinationChain, ObservedTransfer } from "../chains/adapter.ts";
import { NotEnoughSignaturesError, type BatchSigner } from "./batch-signer.ts";

/** Rounds of signing one batch, each without what peers refused in the one before. */
const MAX_SIGN_ROUNDS = 4;

/** A transfer peers refused to co-sign, with their reason (cosigner REFUSAL_REASONS). */
export type RefusedTransfers = Map<string, { observed: ObservedTransfer; reason: string }>;

export interface SignedBatch {
  /** What was signed: the proposal without what was dropped. */
  batch: ObservedTransfer[];
  signatures: CompactSignature[];
  refused: RefusedTransfers;
}

/**
 * Signatures for `batch`, proposing it again without each transfer peers refused: delivered already
 * (all such, read from the chain), or any other refusal naming a transfer (only that one; returned in
 * `refused`). Throws what signing threw when nothing can be dropped.
 */
export async function signDropping(
  signer: BatchSigner,
  destination: DestinationChain,
  proposed: readonly ObservedTransfer[],
  log: Logger,
): Promise<SignedBatch> {
  let batch = [...proposed];
  const refused: RefusedTransfers = new Map();
  for (let round = 1; ; round++) {
    try {
      return {
        batch,
        signatures: await signer.sign(
          destination,
          batch.map((o) => o.transfer),
        ),
        refused,
      };
    } catch (error) {
      if (!(error instanceof NotEnoughSignaturesError) || round >= MAX_SIGN_ROUNDS) throw error;
      const before = batch.length;
      const named = (reasons: readonly string[] | null) =>
        new Map(
          error.refusals
            .filter((r) => r.transferId && (reasons === null ? r.reason !== "ALREADY_DELIVERED" : reasons.includes(r.reason)))
            .map((r) => [r.transferId!.toLowerCase(), r.reason] as const),
        );
      if (named(["ALREADY_DELIVERED"]).size > 0) batch = await withoutDelivered(batch, destination);
      const others = named(null);
      for (const o of batch) {
        const reason = others.get(o.id.toLowerCase());
        if (reason !== undefined) refused.set(o.id, { observed: o, reason });
      }
      batch = batch.filter((o) => !others.has(o.id.toLowerCase()));
      if (batch.length === before) throw error;
      log.info(
        { route: routeKey(proposed[0]!.transfer), proposed: before, now: batch.length, err: error.message },
        "proposing the batch again without refused transfers",
      );
      if (batch.length === 0) return { batch, signatures: [], refused };
    }
  }
}

/** `batch` without the transfers the destination has delivered already. */
export async function withoutDelivered(batch: readonly ObservedTransfer[], destination: DestinationChain): Promise<ObservedTransfer[]> {
  const delivered = await Promise.all(batch.map((o) => destination.isDelivered(o.transfer)));
  return batch.filter((_, i) => !delivered[i]);
}
