// Signing a batch for delivery: this node's own signature, and its peers' co-signatures collected over
// HTTP, until the destination's threshold is held. What peers refused travels with the failure, so the
// deliver stage can propose the batch again without it (sign-dropping.ts).
import type { Logger } from "pino";
import { gatewayDomain, type CompactSignature, type Transfer } from "../../common/transfer.ts";
import type { DestinationChain } from "../chains/adapter.ts";
import { RelayerError } from "../errors.ts";
import type { AttestationSigner } from "./attestation-signer.ts";
import { collectSignatures, type PeerEndpoint } from "./peer-client.ts";
import { requestFor } from "./request.ts";

/** Produces at least `threshold` signatures over a batch, ordered by signer, or throws (retryable);
 * NotEnoughSignaturesError when peers would not co-sign, naming what they refused. */
export interface BatchSigner {
  sign(destination: DestinationChain, transfers: readonly Transfer[]): Promise<CompactSignature[]>;
}

/** A peer's refusal of one transfer of a batch (cosigner REFUSAL_REASONS). */
export interface Refusal {
  peer: string;
  reason: string;
  transferId?: string;
}

export class NotEnoughSignaturesError extends RelayerError {
  readonly refusals: readonly Refusal[];

  constructor(destination: string, held: number, needed: number, failures: string, refusals: readonly Refusal[] = []) {
    super("NOT_ENOUGH_SIGNATURES", `${destination}: ${held} of ${needed} signatures (${failures})`, true);
    this.refusals = refusals;
  }
}

export interface ThresholdBatchSignerOptions {
  /** This node's attestation key. */
  signer: AttestationSigner;
  /** This node's id (peers learn who proposes). */
  nodeId: string;
  peers: readonly PeerEndpoint[];
  /** How long each peer has to answer. */
  peerTimeoutMs: number;
  log: Logger;
}

/** Signs a batch with this node's key, has peers co-sign it, and keeps exactly a threshold. */
export class ThresholdBatchSigner implements BatchSigner {
  private readonly o: ThresholdBatchSignerOptions;

  constructor(options: ThresholdBatchSignerOptions) {
    this.o = options;
  }

  async sign(destination: DestinationChain, transfers: readonly Transfer[]): Promise<CompactSignature[]> {
    const { signer } = this.o;
    // Read at each batch: the threshold changes with the validator set.
    const needed = await destination.threshold();
    const own = await signer.signBatch(gatewayDomain(destination.chainId, destination.gateway), transfers);
    const collected = await collectSignatures({
      peers: this.o.peers,
      request: requestFor(destination.gateway, transfers),
      timeoutMs: this.o.peerTimeoutMs,
      needed,
      own: { signer: signer.address, signature: own },
      from: this.o.nodeId,
      log: this.o.log,
    });
    if (!collected.enough) {
      const failures = collected.failures.map((f) => `${f.peer}: ${f.kind}${f.reason ? ` ${f.reason}` : ""}`).join("; ");
      const refusals = collected.failures.flatMap((f) =>
        f.kind === "refused" && f.reason ? [{ peer: f.peer, reason: f.reason, ...(f.transferId ? { transferId: f.transferId } : {}) }] : [],
      );
      throw new NotEnoughSignaturesError(destination.name, collected.signatures.length, needed, failures || "no peers", refusals);
    }
    // Exactly the threshold: every extra signature costs gas to check. Still in signer order.
    return collected.compact.slice(0, needed);
  }
}
