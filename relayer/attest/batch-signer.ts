// Signing a batch for delivery: this node's own signature, and its peers' co-signatures collected over
// HTTP, until the destination's threshold is held. What peers refused travels with the failure, so the
// deliver stage can propose the batch again without it (sign-dropping.ts). With the destinations' sets
// (validator-sets.ts), only members of the destination's current set are asked — this node itself only
// if it is one — and the threshold is that set's.
import { getAddress } from "ethers";
import type { Logger } from "pino";
import { gatewayDomain, type CompactSignature, type Transfer } from "../../common/transfer.ts";
import type { DestinationChain } from "../chains/adapter.ts";
import { RelayerError } from "../errors.ts";
import type { AttestationSigner } from "./attestation-signer.ts";
import { collectSignatures, type PeerEndpoint } from "./peer-client.ts";
import { requestFor } from "./request.ts";
import type { ValidatorSets } from "./validator-sets.ts";

/** Produces at least `threshold` signatures over a batch, ordered by signer, or throws (retryable);
 * NotEnoughSignaturesError when peers would not co-sign, naming what they refused. */
export interface BatchSigner {
  sign(destination: DestinationChain, transfers: readonly Transfer[]): Promise<CompactSignature[]>;
  /** The destination refused signatures this signer made (its validator set changed): read the set
   * again before the next batch. */
  forgetSet?(chainId: bigint): void;
}

/** This node's key is not in the destination's current validator set: it does not propose there. */
export class NotAValidatorError extends RelayerError {
  constructor(destination: string, epoch: bigint) {
    super(
      "NOT_A_VALIDATOR",
      `${destination}: this node's attestation key is not in the validator set (epoch ${epoch}); it does not sign for ${destination}`,
      true,
    );
  }
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
  /** The destinations' current validator sets; without them, every peer is asked and the threshold is
   * read from the gateway at each batch. */
  sets?: ValidatorSets;
}

/** Signs a batch with this node's key, has peers co-sign it, and keeps exactly a threshold. */
export class ThresholdBatchSigner implements BatchSigner {
  private readonly o: ThresholdBatchSignerOptions;

  constructor(options: ThresholdBatchSignerOptions) {
    this.o = options;
  }

  forgetSet(chainId: bigint): void {
    this.o.sets?.forget(chainId);
  }

  async sign(destination: DestinationChain, transfers: readonly Transfer[]): Promise<CompactSignature[]> {
    const { signer, sets } = this.o;
    let needed: number;
    let peers = this.o.peers;
    let own = true;
    if (sets) {
      // The set as last read (at most maxAgeMs old, read again at once when it moved): only its members'
      // signatures count, so only they are asked; a peer listed in advance is asked once the set holds it.
      const set = await sets.current(destination);
      if (!set.member) throw new NotAValidatorError(destination.name, set.epoch);
      needed = set.threshold;
      peers = peers.filter((p) => set.validators.includes(getAddress(p.signer)));
      own = set.member;
    } else {
      // Read at each batch: the threshold changes with the validator set.
      needed = await destination.threshold();
    }
    const ownSignature = own ? await signer.signBatch(gatewayDomain(destination.chainId, destination.gateway), transfers) : undefined;
    const collected = await collectSignatures({
      peers,
      request: requestFor(destination.gateway, transfers),
      timeoutMs: this.o.peerTimeoutMs,
      needed,
      ...(ownSignature ? { own: { signer: signer.address, signature: ownSignature } } : {}),
      from: this.o.nodeId,
      log: this.o.log,
    });
    // A peer that says it is not in the set knows better than this node's copy: read it again.
    if (collected.failures.some((f) => f.reason === "NOT_A_VALIDATOR")) sets?.forget(destination.chainId);
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
