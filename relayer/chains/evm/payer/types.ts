// What a payer sends and keeps, shared by the payer, its fees and its ledger.
import type { JsonRpcProvider, TransactionReceipt, TransactionRequest } from "ethers";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { FeeType } from "../../../../common/chains/config.ts";
import type { RetryOptions } from "../../../../common/rpc/retry.ts";

/** Signs raw transactions for one address: an ethers Wallet, or a KMS-backed signer. */
export interface TransactionSigner {
  readonly address: string;
  signTransaction(tx: TransactionRequest): Promise<string>;
}

export interface PayerOptions {
  /** The chain's name, for messages. */
  chain: string;
  chainId: bigint;
  provider: JsonRpcProvider;
  /** A private key (hex), or a signer that holds it elsewhere. */
  key: string | TransactionSigner;
  /** Never pay more than this per gas (maxFeePerGas, or gasPrice on a chain without EIP-1559). */
  maxFeePerGas: bigint;
  /** Never tip more than this per gas (default: up to maxFeePerGas). */
  maxPriorityFeePerGas?: bigint;
  /** Which kind of transaction to send (default `auto`: legacy where the chain has no base fee). */
  feeType?: FeeType;
  /** Replace a transaction not mined after this long (default 30 s). */
  replaceAfterMs?: number;
  /** Most replacements per transaction (default 5); after that it is rebroadcast as it is. */
  maxReplacements?: number;
  /** How long fee data read for new transactions is reused (default 1 s). */
  feeCacheMs?: number;
  retry?: RetryOptions;
  log?: Logger;
  /** Shares nonces and sent transactions with the node's other processes (Redis); none: this process only. */
  shared?: PayerLedgerOptions;
}

export interface TxRequest {
  to: string;
  data?: string;
  value?: bigint;
  /** Estimated (from this payer's address) when not given. */
  gasLimit?: bigint;
}

export type FeeSettings = { type: 2; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { type: 0; gasPrice: bigint };

/** A transaction this payer sent, with every replacement sent for its nonce. */
export interface PayerTransaction {
  readonly nonce: number;
  readonly request: Readonly<Required<TxRequest>>;
  /** Hashes sent under this nonce, oldest first; the last one carries the highest fees. */
  readonly hashes: string[];
  /** The fees of the last one sent. */
  fees: FeeSettings;
  /** When the last one was sent (ms since the epoch). */
  lastSentAt: number;
  replacements: number;
  /** The newest signed transaction, to rebroadcast when a node dropped it. */
  raw: string;
}

export interface MinedTransaction {
  /** The hash that was mined: the original or one of its replacements. */
  hash: string;
  nonce: number;
  receipt: TransactionReceipt;
  replacements: number;
}

export interface ReplaceOptions {
  replaceAfterMs?: number;
  maxReplacements?: number;
}

export interface WaitOptions extends ReplaceOptions {
  /** Between two checks (default 500 ms). */
  pollMs?: number;
  /** Give up (with a retryable PayerError) after this long; the transaction stays in flight. */
  timeoutMs?: number;
}

export interface PayerLedgerOptions {
  redis: Redis;
  /** The node's key prefix. */
  prefix: string;
}
