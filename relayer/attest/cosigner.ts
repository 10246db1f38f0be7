// The co-signing side of attestation (docs/protocol.md, "Attestations"): a node signs a batch a peer proposes only if it has seen
// every transfer in it final at its source itself, with the same fields, and only for a destination
// gateway it is configured for. What it signs is rebuilt from its own records, in the order asked, so a
// mistake in the comparisons can make it sign nothing, never something it did not see.
//
// Statuses it accepts: `finalized`, `attested`, `submitted`, `delayed` — all mean "seen final at the
// source", and a batch may be proposed again (another deliverer after a timeout, a retry after a cap).
// It refuses `pending` and `dropped` (not final: NOT_FINAL), `rejected` (invalid at the source, never
// delivered: REJECTED) and `completed` (delivered for good: ALREADY_DELIVERED). Signing a completed one
// would be harmless — the gateway delivers each transfer once, forever — but it would only spend the
// deliverer's gas on a skipped item, and the refusal tells the proposer to drop it from the batch.
import { getAddress } from "ethers";
import { checksumAddress } from "../../common/address.ts";
import type { Logger } from "pino";
import { gatewayDomain, transferId, type SignerSignature, type Transfer } from "../../common/transfer.ts";
import type { ObservedTransfer } from "../chains/adapter.ts";
import { RelayerError } from "../errors.ts";
import type { AttestationSigner } from "./attestation-signer.ts";
import { rankFor } from "../deliver/designation.ts";
import { destinationOfRoute, routeKey } from "../../common/routes.ts";
import type { TransferStatus, TransferStore } from "../store/transfer-store.ts";
import { MAX_BATCH_TRANSFERS, toTransfers, type AttestationRequest } from "./request.ts";

export const REFUSAL_REASONS = [
  "UNKNOWN_DESTINATION",
  "WRONG_DESTINATION",
  "EMPTY",
  "TOO_MANY",
  "DUPLICATE_TRANSFER",
  "UNKNOWN_TRANSFER",
  "NOT_FINAL",
  "REJECTED",
  "ALREADY_DELIVERED",
  "FIELDS_DIFFER",
  "NOT_A_VALIDATOR",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** Reasons that may go away by themselves: this node has not seen (or not yet seen final) what the
 * proposer has. Asking again later may succeed; the rest never will for the same batch. */
const RETRYABLE: ReadonlySet<RefusalReason> = new Set(["UNKNOWN_TRANSFER", "NOT_FINAL"]);

/** This node will not co-sign the batch: `reason` says why, `transferId` which transfer (if one). */
export class AttestationRefusedError extends RelayerError {
  readonly reason: RefusalReason;
  readonly transferId: string | undefined;

  constructor(reason: RefusalReason, message: string, id?: string) {
    super("ATTESTATION_REFUSED", `${reason}: ${message}`, RETRYABLE.has(reason));
    this.reason = reason;
    this.transferId = id;
  }
}

/** The statuses that mean "this node saw it final at its source, and it is still to be delivered". */
const SIGNABLE: ReadonlySet<TransferStatus> = new Set(["finalized", "attested", "submitted", "delayed"]);

export interface CoSignerOptions {
  store: TransferStore;
  signer: AttestationSigner;
  /** The destination gateway of each chain this node is configured for, by chain id. */
  destinations: ReadonlyMap<bigint, string>;
  /** This node's id and every node's (the order of deliverers, see routing.ts): a proposal counts as the
   * route's deliverer at work only when it comes from a node before this one for the route. */
  nodeId?: string;
  nodeIds?: readonly string[];
  log?: Logger;
  /** Whether this node's key is in the current validator set of the chain `dstChainId` (and its epoch);
   * a node that is not refuses (NOT_A_VALIDATOR): its signature would not count there. Without it, the
   * node signs for every configured destination. */
  membership?: (dstChainId: bigint) => Promise<{ member: boolean; epoch: bigint }>;
  /** Of `nodeIds`, those in `dstChainId`'s current set (null while unknown): the route's deliverers. */
  deliverers?: (dstChainId: bigint, nodeIds: readonly string[]) => readonly string[] | null;
}

export class CoSigner {
  private readonly store: TransferStore;
  private readonly signer: AttestationSigner;
  private readonly destinations: ReadonlyMap<bigint, string>;
  private readonly log: Logger | undefined;
  private readonly nodeId: string | undefined;
  private readonly nodeIds: readonly string[];
  private readonly membership: CoSignerOptions["membership"];
  private readonly deliverers: CoSignerOptions["deliverers"];

  constructor(options: CoSignerOptions) {
    this.membership = options.membership;
    this.deliverers = options.deliverers;
    this.nodeId = options.nodeId;
    this.nodeIds = options.nodeIds ?? [];
    this.store = options.store;
    this.signer = options.signer;
    this.destinations = new Map([...options.destinations].map(([chainId, gateway]) => [chainId, getAddress(gateway)]));
    this.log = options.log;
  }

  /** The address this node's attestations recover to. */
  get address(): string {
    return this.signer.address;
  }

  /** Signs the batch of `request` (proposed by node `proposer`, if it said) after checking every transfer
   * against this node's own records, or throws AttestationRefusedError. */
  async cosign(request: AttestationRequest, proposer?: string): Promise<SignerSignature> {
    try {
      const transfers = await this.verified(request);
      if (this.membership) {
        const { member, epoch } = await this.membership(request.dstChainId);
        if (!member) {
          throw new AttestationRefusedError(
            "NOT_A_VALIDATOR",
            `this node's key ${this.signer.address} is not in the validator set of chain ${request.dstChainId} (epoch ${epoch}): its signature would not count there`,
          );
        }
      }
      const domain = gatewayDomain(request.dstChainId, this.destinations.get(request.dstChainId)!);
      const signature = await this.signer.signBatch(domain, transfers);
      // A node before this one at work on the route: as its fallback deliverer, this node waits
      // (DeliveryPipeline). A node after it is a fallback itself, and says nothing of the ones before.
      const route = routeKey(transfers[0]!);
      if (this.ranksBefore(route, proposer)) await this.store.noteProposal(route);
      return { signer: this.signer.address, signature };
    } catch (error) {
      if (error instanceof AttestationRefusedError) {
        // A proposal with fields this node saw otherwise is a peer (or its chain access) gone wrong.
        const level = error.reason === "FIELDS_DIFFER" || error.reason === "WRONG_DESTINATION" ? "error" : "info";
        this.log?.[level]({ reason: error.reason, transferId: error.transferId, err: error.message }, "attestation refused");
      }
      throw error;
    }
  }

  private ranksBefore(route: string, proposer: string | undefined): boolean {
    if (proposer === undefined || this.nodeId === undefined) return false;
    // The order of deliverers is among the destination set's members (designation.ts), as the proposer's is.
    const nodeIds = this.deliverers?.(destinationOfRoute(route), this.nodeIds) ?? this.nodeIds;
    if (!nodeIds.includes(proposer) || !nodeIds.includes(this.nodeId)) return false;
    return rankFor(route, proposer, nodeIds) < rankFor(route, this.nodeId, nodeIds);
  }

  /** The transfers to sign, from this node's records, after every check; refuses otherwise. */
  private async verified(request: AttestationRequest): Promise<Transfer[]> {
    const configured = this.destinations.get(request.dstChainId);
    if (configured === undefined) {
      throw new AttestationRefusedError("UNKNOWN_DESTINATION", `this node delivers to no chain with id ${request.dstChainId}`);
    }
    if (!sameAddress(configured, request.dstGateway)) {
      throw new AttestationRefusedError(
        "WRONG_DESTINATION",
        `the gateway of chain ${request.dstChainId} is ${configured}, not ${request.dstGateway}`,
      );
    }
    if (request.items.length === 0) throw new AttestationRefusedError("EMPTY", "the batch holds no transfer");
    if (request.items.length > MAX_BATCH_TRANSFERS) {
      throw new AttestationRefusedError(
        "TOO_MANY",
        `the batch holds ${request.items.length} transfers, at most ${MAX_BATCH_TRANSFERS} are signed at once`,
      );
    }

    const asked = toTransfers(request);
    const ids = asked.map((t) => transferId(t));
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) throw new AttestationRefusedError("DUPLICATE_TRANSFER", `transfer ${id} is in the batch twice`, id);
      seen.add(id);
    }

    const records = await this.store.getMany(ids);
    return asked.map((transfer, i) => {
      const id = ids[i]!;
      const record = records[i];
      if (!record) throw new AttestationRefusedError("UNKNOWN_TRANSFER", `this node has not seen transfer ${id}`, id);
      checkStatus(id, record.status);
      return checkFields(id, transfer, record.observed);
    });
  }
}

function checkStatus(id: string, status: TransferStatus): void {
  if (SIGNABLE.has(status)) return;
  if (status === "completed") {
    throw new AttestationRefusedError("ALREADY_DELIVERED", `transfer ${id} is already delivered`, id);
  }
  if (status === "rejected") {
    throw new AttestationRefusedError("REJECTED", `transfer ${id} was rejected at its source and is never delivered`, id);
  }
  throw new AttestationRefusedError("NOT_FINAL", `this node has not seen transfer ${id} final at its source (it is ${status})`, id);
}

/** The transfer as this node saw it, if the batch has it exactly so. */
function checkFields(id: string, asked: Transfer, observed: ObservedTransfer): Transfer {
  const mine = observed.transfer;
  if (mine.dstChainId !== asked.dstChainId) {
    throw new AttestationRefusedError("WRONG_DESTINATION", `transfer ${id} goes to chain ${mine.dstChainId}, not ${asked.dstChainId}`, id);
  }
  const differ = (field: string, theirs: unknown, ours: unknown): never => {
    throw new AttestationRefusedError(
      "FIELDS_DIFFER",
      `transfer ${id}: ${field} is ${String(theirs)} in the batch but ${String(ours)} as this node saw it`,
      id,
    );
  };
  // The id is a hash of the source fields, so these hold for a sound store; checked all the same.
  if (mine.srcChainId !== asked.srcChainId) differ("srcChainId", asked.srcChainId, mine.srcChainId);
  if (mine.srcGateway.toLowerCase() !== asked.srcGateway.toLowerCase()) differ("srcGateway", asked.srcGateway, mine.srcGateway);
  if (mine.srcRef.toLowerCase() !== asked.srcRef.toLowerCase()) differ("srcRef", asked.srcRef, mine.srcRef);
  if (mine.kind !== asked.kind) differ("kind", asked.kind, mine.kind);
  if (!sameAddress(mine.recipient, asked.recipient)) differ("recipient", asked.recipient, mine.recipient);
  if (mine.amount !== asked.amount) differ("amount", asked.amount, mine.amount);
  return {
    srcChainId: mine.srcChainId,
    srcGateway: mine.srcGateway,
    srcRef: mine.srcRef,
    kind: mine.kind,
    dstChainId: mine.dstChainId,
    recipient: checksumAddress(mine.recipient),
    amount: mine.amount,
  };
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
