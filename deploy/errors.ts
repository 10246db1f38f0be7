// Why a deployment stopped. An invalid deployment file is common/schema's ConfigError; these are what
// only shows once the chains are asked, or a plan that cannot be deployed as given.
import { BridgeError } from "../common/errors.ts";

export type DeployErrorCode =
  | "CHAIN_ID_MISMATCH" // an RPC endpoint serves another chain than the file says
  | "INVALID_PLAN"; // not exactly one BTTC chain, a reserve off BTTC, a remote gateway without BTTC's id

export class DeployError extends BridgeError<DeployErrorCode> {}
