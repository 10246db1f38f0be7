// Why a validator-set proposal, approval or submission is refused: one error class with a stable code,
// shared by the CLI (which prints it) and the relayer's approval endpoint (which answers it as JSON).
import { BridgeError } from "../errors.ts";

export type ValidatorSetErrorCode =
  | "INVALID_VALIDATOR_SET" // empty, too large, not ascending, a duplicate, a zero address
  | "INVALID_THRESHOLD" // not above half the set, above the set's size, or not a uint8
  | "INVALID_CHANGE" // --add of a member, --remove of a non-member, a malformed --replace
  | "NO_CHANGE" // the proposal leaves every gateway as it is
  | "SETS_DIFFER" // the gateways hold different sets: --add/--remove/--replace would mean different things
  | "DEADLINE_PASSED" // the deadline is not in the future
  | "INVALID_PROPOSAL" // the proposal file does not parse (the field is named)
  | "STALE_PROPOSAL" // a gateway is no longer at the epoch the proposal moves it from
  | "UNKNOWN_GATEWAY" // the proposal names a gateway the approver does not serve
  | "NOT_A_VALIDATOR" // the approving key is not in a gateway's current set
  | "BAD_APPROVAL"; // an approval whose signature does not recover to its signer

export class ValidatorSetError extends BridgeError<ValidatorSetErrorCode> {}
