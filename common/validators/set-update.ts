// What validators sign to change a gateway's set (docs/protocol.md, "Validator-set rotation"): EIP-712
// `ValidatorSetUpdate(uint64 epoch, address[] validators, uint8 threshold, uint64 deadline)` under the
// gateway's own domain, `epoch` being the gateway's current epoch + 1. The CLI checks approvals with it,
// the relayer signs with it; contracts/core/TransferHashing.sol is what it must match.
import { Signature, TypedDataEncoder, getAddress, recoverAddress, type SigningKey } from "ethers";
import { gatewayDomain, VALIDATOR_SET_UPDATE_TYPES, type CompactSignature } from "../transfer.ts";

/** One gateway's update: what a validator signs for it. */
export interface ValidatorSetUpdate {
  chainId: bigint;
  gateway: string;
  /** The epoch the gateway moves to (its current epoch + 1). */
  epoch: bigint;
  /** Ascending. */
  validators: readonly string[];
  threshold: number;
  /** Unix seconds: the gateway refuses the update after it. */
  deadline: bigint;
}

/** The EIP-712 digest of `update` for its gateway. */
export function validatorSetUpdateDigest(update: ValidatorSetUpdate): string {
  return TypedDataEncoder.hash(gatewayDomain(update.chainId, update.gateway), VALIDATOR_SET_UPDATE_TYPES, {
    epoch: update.epoch,
    validators: update.validators.map((v) => getAddress(v)),
    threshold: update.threshold,
    deadline: update.deadline,
  });
}

/** Signs `update` with `key` (compact, low-s as every ethers signature). */
export function signValidatorSetUpdate(key: SigningKey, update: ValidatorSetUpdate): CompactSignature {
  const signature = key.sign(validatorSetUpdateDigest(update));
  return { r: signature.r, vs: signature.yParityAndS };
}

/** The address a compact signature over `update` recovers to, or null if it is malformed. */
export function recoverUpdateSigner(update: ValidatorSetUpdate, signature: CompactSignature): string | null {
  try {
    return recoverAddress(validatorSetUpdateDigest(update), Signature.from({ r: signature.r, yParityAndS: signature.vs }));
  } catch {
    return null;
  }
}
