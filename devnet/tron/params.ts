// Chain parameters the node charges by (java-tron's dynamic properties, `wallet/getchainparameters`)
// and the protocol constants that java-tron hard-codes. Defaults are TRON mainnet's.

export interface ChainParameters {
  /** `getMemoFee`: sun burned from the owner of a transaction that carries `raw_data.data`. */
  readonly memoFee: bigint;
  /** `getTransactionFee`: sun burned per byte of bandwidth not covered by free bandwidth. */
  readonly transactionFee: bigint;
  /** `getCreateAccountFee`: sun burned for the bandwidth of a transfer that creates its recipient. */
  readonly createAccountFee: bigint;
  /** `getCreateNewAccountFeeInSystemContract`: sun the transfer itself charges to create a recipient. */
  readonly createNewAccountFeeInSystemContract: bigint;
  /** `getFreeNetLimit`: free bandwidth bytes per account per 24 hours. */
  readonly freeNetLimit: bigint;
}

export const MAINNET_PARAMETERS: ChainParameters = {
  memoFee: 1_000_000n,
  transactionFee: 1_000n,
  createAccountFee: 100_000n,
  createNewAccountFeeInSystemContract: 1_000_000n,
  freeNetLimit: 600n,
};

/** java-tron's slot: resource usage recovers per 3-second slot whatever the block interval. */
export const SLOT_MS = 3_000n;
/** Resource usage recovers linearly over 24 hours, in slots (`ChainConstant.WINDOW_SIZE_MS / 3000`). */
export const WINDOW_SIZE_SLOTS = 28_800n;
/** `ChainConstant.PRECISION` of the usage arithmetic. */
export const USAGE_PRECISION = 1_000_000n;
/** `Constant.MAX_RESULT_SIZE_IN_TX`: bandwidth counts 64 result bytes per contract. */
export const MAX_RESULT_SIZE_IN_TX = 64n;
/** `Constant.TRANSACTION_MAX_BYTE_SIZE`. */
export const TRANSACTION_MAX_BYTE_SIZE = 500n * 1024n;
/** `Constant.MAXIMUM_TIME_UNTIL_EXPIRATION`: a transaction may expire at most 24 hours after the head. */
export const MAXIMUM_TIME_UNTIL_EXPIRATION_MS = 86_400_000n;
/** `getTotalSignNum`: at most 5 signatures per transaction. */
export const TOTAL_SIGN_NUM = 5;
/** The block header version java-tron 4.8 produces. */
export const BLOCK_VERSION = 32n;
