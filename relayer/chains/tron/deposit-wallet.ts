// Sends from the redenomination deposit account on TRON: refunds of rejected deposits and the
// black-hole forwarding of swapped BTTOLD. Built, given a memo, signed and broadcast with TronWeb as a
// wallet does (transactionBuilder.sendToken/sendTrx, addUpdateData, trx.sign, sendRawTransaction), then
// followed until it is in a block or can never be (past its expiration): callers check the chain for
// what was sent before they send again, so they must not go on while a transaction is still in flight.
import { TronWeb, type Types } from "tronweb";
import { readKey, type KeySource } from "../../../common/schema.ts";
import { RelayerError } from "../../errors.ts";
import { inspectSymbol, walletFromKey } from "../../keys.ts";
import type { RetryOptions } from "../../../common/rpc/retry.ts";
import { fromBase58 } from "../../../common/tron/address.ts";
import { isRecord } from "../../../common/guards.ts";
import { readInt64 } from "./blocks.ts";
import { TronHttp, type JsonObject } from "./http.ts";
import { createTronWeb, type TronEndpoint } from "../../../common/rpc/tronweb.ts";
import { sleep } from "../../../common/async.ts";

/** java-tron refused a transaction (`{code, message}` of broadcasttransaction), or it never got into a
 * block before its expiration. */
export class TronSendError extends RelayerError {
  constructor(message: string, retryable: boolean) {
    super("TRON_SEND_FAILED", message, retryable);
  }
}

/** Proof that a transaction can never get into a block: the solidified head is at or past its expiration
 * (java-tron takes a transaction into a block only while it expires after the parent block's time) and
 * it is in no block up to that head. The one failure after which the same payment may be sent again. */
export class TronTxExpiredError extends TronSendError {
  constructor(message: string) {
    super(message, true);
  }
}

export interface OutgoingPayment {
  asset: "TRX" | "TRC10";
  /** The TRC-10 token id ("TRX" for TRX). */
  token: string;
  /** base58. */
  to: string;
  /** Base units (sun for TRX). */
  amount: bigint;
  memo: string;
}

export interface SentPayment {
  /** 64 hex digits, no 0x. */
  txId: string;
  blockNumber: bigint;
}

export interface DepositWalletOptions extends TronEndpoint {
  name: string;
  depositAddress: string;
  /** How often inclusion is polled. */
  pollMs?: number;
  /** Retries of each HTTP read (default: the relayer's DEFAULT_RETRY). */
  retry?: RetryOptions;
}

export class DepositWallet {
  readonly address: string;
  private readonly tronWeb: TronWeb;
  private readonly http: TronHttp;
  private readonly pollMs: number;
  private readonly name: string;

  constructor(options: DepositWalletOptions, key: KeySource, env: NodeJS.ProcessEnv) {
    const wallet = walletFromKey(readKey(key, env, "TRON deposit key"), "TRON deposit key");
    this.tronWeb = createTronWeb(options);
    this.tronWeb.setPrivateKey(wallet.privateKey.slice(2));
    const own = this.tronWeb.defaultAddress.base58;
    if (own !== options.depositAddress) {
      throw new RelayerError(
        "DEPOSIT_KEY_MISMATCH",
        `${options.name}: the deposit key is the key of ${String(own)}, not of ${options.depositAddress}`,
        false,
      );
    }
    this.address = options.depositAddress;
    this.name = options.name;
    this.http = new TronHttp(options.name, this.tronWeb, options.retry);
    this.pollMs = options.pollMs ?? 1_000;
  }

  /** Sends `payment` and resolves once it is in a block; throws TronSendError if it is refused or
   * expires first. `onSigned` learns the transaction's id and expiration before it is broadcast. */
  async send(payment: OutgoingPayment, onSigned?: (txId: string, expiration: bigint) => Promise<void>): Promise<SentPayment> {
    if (fromBase58(payment.to) === undefined) throw new TronSendError(`${this.name}: ${payment.to} is not a TRON address`, false);
    if (payment.amount <= 0n || payment.amount > BigInt(Number.MAX_SAFE_INTEGER)) {
      // TronWeb takes amounts as JS numbers: above 2^53 they would be rounded, so they are refused.
      throw new TronSendError(`${this.name}: cannot send ${payment.amount} units in one transaction (1..2^53-1)`, false);
    }
    const amount = Number(payment.amount); // exact: checked above to be a safe integer
    const builder = this.tronWeb.transactionBuilder;
    let tx: Types.Transaction =
      payment.asset === "TRX"
        ? await builder.sendTrx(payment.to, amount, this.address)
        : await builder.sendToken(payment.to, amount, payment.token, this.address);
    tx = await builder.addUpdateData(tx, payment.memo, "utf8", { txLocal: true });
    const signed = await this.tronWeb.trx.sign(tx);
    const expiration = BigInt(signed.raw_data.expiration);
    await onSigned?.(signed.txID, expiration);
    const answer: unknown = await this.tronWeb.trx.sendRawTransaction(signed);
    if (!isRecord(answer) || answer.result !== true) {
      const code = isRecord(answer) && typeof answer.code === "string" ? answer.code : "UNKNOWN";
      const message = isRecord(answer) && typeof answer.message === "string" ? Buffer.from(answer.message, "hex").toString("utf8") : "";
      // SERVER_BUSY and the like may pass next time; a validation error will not.
      throw new TronSendError(
        `${this.name}: the node refused the transaction: ${code} ${message}`.trim(),
        code === "SERVER_BUSY" || code === "NOT_ENOUGH_EFFECTIVE_CONNECTION",
      );
    }
    return this.waitIncluded(signed.txID, expiration);
  }

  /** Polls until `txId` is in a block (head chain), or the head is past `expiration` without it. */
  async waitIncluded(txId: string, expiration: bigint): Promise<SentPayment> {
    for (;;) {
      const info = await this.http.get("wallet", "gettransactioninfobyid", { value: txId });
      if (info.blockNumber !== undefined) return { txId, blockNumber: readInt64(info.blockNumber, `transaction ${txId} blockNumber`) };
      const headTime = blockTime(await this.http.get("wallet", "getblock", { detail: false }), "head block timestamp");
      if (headTime > expiration) throw new TronSendError(`${this.name}: transaction ${txId} expired without getting into a block`, true);
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  /**
   * Polls until `txId` is in a solidified block (a block that stays), or throws TronTxExpiredError once
   * it provably never will be. Any other failure (the node unreachable, a timeout, a refusal, `signal`
   * aborted) is thrown as it is: it proves nothing about the transaction, which may still get into a block.
   */
  async waitSolidified(txId: string, expiration: bigint, signal?: AbortSignal): Promise<SentPayment> {
    for (;;) {
      signal?.throwIfAborted();
      // The solidified head first, the transaction after: if that head is past the expiration, no later
      // block can take the transaction, so its absence from the solidified blocks read after is final.
      const solidTime = blockTime(await this.http.get("walletsolidity", "getblock", { detail: false }), "solidified block timestamp");
      const info = await this.http.get("walletsolidity", "gettransactioninfobyid", { value: txId });
      if (info.blockNumber !== undefined) return { txId, blockNumber: readInt64(info.blockNumber, `transaction ${txId} blockNumber`) };
      if (solidTime >= expiration) {
        throw new TronTxExpiredError(
          `${this.name}: transaction ${txId} expired at ${expiration} and is in no block up to the solidified one (time ${solidTime})`,
        );
      }
      await sleep(this.pollMs, signal);
    }
  }

  /** Never shows the client (it holds the key) when logged or inspected. */
  [inspectSymbol](): string {
    return `DepositWallet(${this.name} ${this.address})`;
  }

  toJSON(): Record<string, string> {
    return { chain: this.name, address: this.address };
  }

  /** The deposit account's balance of `token` ("TRX" or a TRC-10 id), from the head chain. */
  async balance(token: string): Promise<bigint> {
    const account = await this.http.get("wallet", "getaccount", { address: this.address, visible: true });
    if (token === "TRX") return readInt64(account.balance, "balance");
    const assets = Array.isArray(account.assetV2) ? account.assetV2 : [];
    const entry: unknown = assets.find((a: unknown) => isRecord(a) && a.key === token);
    return isRecord(entry) ? readInt64(entry.value, `balance of ${token}`) : 0n;
  }
}

function blockTime(block: JsonObject, what: string): bigint {
  const header = isRecord(block.block_header) && isRecord(block.block_header.raw_data) ? block.block_header.raw_data : {};
  return readInt64(header.timestamp, what);
}

/** Waits `ms`, or less if `signal` aborts meanwhile (the caller's next check throws). */
