// The rules a gateway holds a validator set to (contracts/core/BridgeGateway.sol `_setValidators`),
// checked off chain first so that a bad proposal is refused with a message naming what is wrong, before
// anyone signs it: 1 to 64 distinct non-zero addresses in ascending order, and a threshold above half
// the set and at most its size (M-of-N with M > N/2).
import { ZeroAddress, getAddress } from "ethers";
import { compareAddresses } from "../transfer.ts";
import { ValidatorSetError } from "./errors.ts";

/** The most validators a gateway takes (BridgeGateway.MAX_VALIDATORS). */
export const MAX_VALIDATORS = 64;

/** A gateway's validator set as read from the chain. */
export interface ValidatorSet {
  /** Bumped by every update; the deployer's first set is epoch 0. */
  epoch: bigint;
  /** Checksummed, ascending. */
  validators: string[];
  threshold: number;
}

/** `addresses` checksummed and ascending (numerically, as the gateway compares them). */
export function sortValidators(addresses: readonly string[]): string[] {
  return addresses.map((a) => getAddress(a)).sort(compareAddresses);
}

/** Throws ValidatorSetError unless `validators` (in this order) and `threshold` are a set a gateway takes. */
export function checkValidatorSet(validators: readonly string[], threshold: number): void {
  if (validators.length === 0) throw new ValidatorSetError("INVALID_VALIDATOR_SET", "the validator set is empty");
  if (validators.length > MAX_VALIDATORS) {
    throw new ValidatorSetError(
      "INVALID_VALIDATOR_SET",
      `the set holds ${validators.length} validators; a gateway takes at most ${MAX_VALIDATORS}`,
    );
  }
  validators.forEach((v, i) => {
    if (getAddress(v) === ZeroAddress) throw new ValidatorSetError("INVALID_VALIDATOR_SET", "the zero address cannot be a validator");
    if (i > 0 && compareAddresses(validators[i - 1]!, v) >= 0) {
      const what =
        compareAddresses(validators[i - 1]!, v) === 0
          ? `${getAddress(v)} is in it twice`
          : `${getAddress(v)} at ${i} is not above the one before`;
      throw new ValidatorSetError("INVALID_VALIDATOR_SET", `the validators must be distinct and ascending: ${what}`);
    }
  });
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 255) {
    throw new ValidatorSetError("INVALID_THRESHOLD", `the threshold must be a whole number from 1 to 255, not ${threshold}`);
  }
  if (threshold > validators.length) {
    throw new ValidatorSetError(
      "INVALID_THRESHOLD",
      `a threshold of ${threshold} is more than the ${validators.length} validators of the set`,
    );
  }
  if (threshold * 2 <= validators.length) {
    throw new ValidatorSetError(
      "INVALID_THRESHOLD",
      `a threshold of ${threshold} of ${validators.length} is not above half the set (at least ${Math.floor(validators.length / 2) + 1})`,
    );
  }
}

/** Whether `address` is a member of `set`. */
export function isMember(set: Pick<ValidatorSet, "validators">, address: string): boolean {
  const a = getAddress(address);
  return set.validators.some((v) => v === a);
}

/** How a set changes: members added, removed, replaced (old → new), and the threshold (kept if absent). */
export interface SetChange {
  add?: readonly string[];
  remove?: readonly string[];
  replace?: readonly { old: string; new: string }[];
  threshold?: number;
}

/**
 * The set `current` becomes under `change`, checked: adding a member, or removing or replacing a
 * non-member, is refused (a proposal that does not mean what its author thinks). Without a threshold,
 * the current one is kept, and must still be valid for the new size.
 */
export function applyChange(
  current: Pick<ValidatorSet, "validators" | "threshold">,
  change: SetChange,
): { validators: string[]; threshold: number } {
  const members = new Set(current.validators.map((v) => getAddress(v)));
  const problem = (message: string): never => {
    throw new ValidatorSetError("INVALID_CHANGE", message);
  };
  for (const { old, new: added } of change.replace ?? []) {
    const [o, n] = [getAddress(old), getAddress(added)];
    if (!members.has(o)) problem(`--replace ${o}=${n}: ${o} is not in the current set`);
    if (members.has(n)) problem(`--replace ${o}=${n}: ${n} is in the current set already`);
    members.delete(o);
    members.add(n);
  }
  for (const r of change.remove ?? []) {
    const a = getAddress(r);
    if (!members.has(a)) problem(`--remove ${a}: not in the current set`);
    members.delete(a);
  }
  for (const r of change.add ?? []) {
    const a = getAddress(r);
    if (members.has(a)) problem(`--add ${a}: in the set already`);
    members.add(a);
  }
  const validators = sortValidators([...members]);
  const threshold = change.threshold ?? current.threshold;
  checkValidatorSet(validators, threshold);
  return { validators, threshold };
}
