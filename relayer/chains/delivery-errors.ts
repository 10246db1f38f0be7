// The errors a destination chain throws that the deliver and confirm stages act on, whatever the chain's
// family: a delivery refused before it was sent (and whether it is refused because it is done already),
// and a delivery transaction the chain does not know.
import { RelayerError } from "../errors.ts";

/** A delivery the destination would refuse, so it was not sent. `retryable`: it may pass later (a limit
 * refills, a pause ends). `alreadyDelivered`: refused because a transfer of it is delivered already. */
export class DeliveryRefusedError extends RelayerError {
  readonly chain: string;
  readonly alreadyDelivered: boolean;

  constructor(chain: string, message: string, retryable: boolean, alreadyDelivered: boolean, options?: ErrorOptions) {
    super("DELIVERY_WOULD_REVERT", message, retryable, options);
    this.chain = chain;
    this.alreadyDelivered = alreadyDelivered;
  }

  /** Whether the destination refused the batch's signatures (not a validator, invalid, too few): what a
   * batch signed under a validator set that has since changed meets. Signing it again may be the cure. */
  get signaturesRefused(): boolean {
    return false;
  }
}

/** The node knows no transaction with this hash (dropped, or replaced by a transaction of another
 * process): whether its transfers were delivered is for `isDelivered` to say. */
export class DeliveryTxUnknownError extends RelayerError {
  constructor(chain: string, txHash: string) {
    super("DELIVERY_TX_UNKNOWN", `${chain}: no transaction ${txHash} on the chain or in the node's pool`, false);
  }
}
