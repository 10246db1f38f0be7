// Why the devnet could not start (or a part of it stopped): the entry point prints the message and
// exits with status 1. The TRON development node keeps its own errors (tron/errors.ts): it is a
// program of its own and answers in java-tron's terms.
import { BridgeError } from "../common/errors.ts";

export type DevnetErrorCode =
  | "OPTIONS_INVALID" // the devnet's flags or environment
  | "TOO_MANY_RELAYERS" // more relayer nodes than the devnet has payer accounts for
  | "REDIS_UNAVAILABLE" // REDIS_URL given but not answering, or no Redis and none to start
  | "PORT_CLAIMED_TWICE" // two parts given the same port
  | "PORTS_IN_USE" // ports still taken when the devnet starts
  | "ALREADY_RUNNING" // another devnet runs from the same data directory
  | "PART_FAILED" // a process of the devnet exited or never got ready
  | "TRON_FUNDING_FAILED"; // the TRON deposit account could not be funded

export class DevnetError extends BridgeError<DevnetErrorCode> {}

/** A part of the devnet (a chain, Redis, a relayer node, the API) failed; its name leads the message. */
export class PartFailedError extends DevnetError {
  readonly part: string;
  constructor(part: string, message: string) {
    super("PART_FAILED", `${part}: ${message}`);
    this.part = part;
  }
}
