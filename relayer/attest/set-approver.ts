// A node's approval of a validator-set proposal (docs/operations.md, "Rotating validators"): its
// operator asks it, through the authenticated endpoint (http/operator-routes.ts), to sign the
// `ValidatorSetUpdate` of every gateway the proposal names. The node checks each against the chain
// first — the gateway is one it serves, the proposal moves it from its current epoch to the next, this
// node's key is in its current set, the deadline is ahead — and signs all of them or none.
import type { Logger } from "pino";
import { ValidatorSetError } from "../../common/validators/errors.ts";
import { updateFor, type Approval, type Proposal } from "../../common/validators/proposal.ts";
import { isMember } from "../../common/validators/validator-set.ts";
import type { DestinationChain } from "../chains/adapter.ts";
import type { SetUpdateSigner } from "./attestation-signer.ts";

export interface SetApproverOptions {
  signer: SetUpdateSigner;
  /** The gateways this node serves, by chain id. */
  destinations: ReadonlyMap<bigint, DestinationChain>;
  log?: Logger;
  /** Unix seconds now (tests). */
  now?: () => bigint;
}

export class SetApprover {
  private readonly o: SetApproverOptions;

  constructor(options: SetApproverOptions) {
    this.o = options;
  }

  /** This node's signatures over every gateway's update of `proposal`, or ValidatorSetError naming what is wrong. */
  async approve(proposal: Proposal): Promise<Approval[]> {
    const now = this.o.now?.() ?? BigInt(Math.floor(Date.now() / 1000));
    if (proposal.deadline <= now) {
      throw new ValidatorSetError(
        "DEADLINE_PASSED",
        `the proposal's deadline ${proposal.deadline} has passed (it is ${now} now): propose again`,
      );
    }
    const signer = this.o.signer.address;
    // Every gateway checked before anything is signed.
    for (const g of proposal.gateways) {
      const destination = this.o.destinations.get(g.chainId);
      if (!destination || destination.gateway !== g.gateway) {
        const mine = destination ? `its gateway there is ${destination.gateway}` : "it serves no chain with that id";
        throw new ValidatorSetError(
          "UNKNOWN_GATEWAY",
          `${g.chain}: this node does not serve gateway ${g.gateway} on chain ${g.chainId} (${mine})`,
        );
      }
      const set = await destination.validatorSet();
      if (g.epoch !== set.epoch + 1n) {
        throw new ValidatorSetError(
          "STALE_PROPOSAL",
          `${g.chain}: the gateway is at validator epoch ${set.epoch}, so an update now moves it to ${set.epoch + 1n}, not ${g.epoch}: propose again`,
        );
      }
      if (!isMember(set, signer)) {
        throw new ValidatorSetError(
          "NOT_A_VALIDATOR",
          `${g.chain}: this node's key ${signer} is not in the gateway's current set (epoch ${set.epoch}); only its members approve`,
        );
      }
    }
    const approvals: Approval[] = [];
    for (const g of proposal.gateways) {
      const { r, vs } = await this.o.signer.signValidatorSetUpdate(updateFor(proposal, g));
      approvals.push({ signer, chainId: g.chainId, gateway: g.gateway, epoch: g.epoch, r, vs });
    }
    this.o.log?.warn(
      {
        validators: proposal.validators,
        threshold: proposal.threshold,
        deadline: proposal.deadline.toString(),
        gateways: proposal.gateways.map((g) => `${g.chain}@${g.epoch}`),
      },
      "validator-set proposal approved (signed by this node's attestation key)",
    );
    return approvals;
  }
}
