// What the API builds for, and sends to, TRON: the swap deposit (a TRC-10 1002000 transfer to the
// deposit address with the swap memo, unsigned, as TronWeb builds it for a wallet) and the broadcast of
// the signed one. Any TRON full node's HTTP API works (java-tron, TronGrid, the development node).
import { sha256 } from "ethers";
import type { TronWeb, Types } from "tronweb";
import { createTronWeb } from "../../common/rpc/tronweb.ts";
import { encodeSwapMemo } from "../../common/tron/memo.ts";
import type { TronChainConfig } from "../config.ts";
import { ApiError } from "../errors.ts";
import { shortReason } from "./evm-chain.ts";

/** TronWeb takes TRC-10 amounts as JavaScript numbers: larger ones cannot be built exactly. */
const MAX_TRC10_AMOUNT = BigInt(Number.MAX_SAFE_INTEGER);

export interface SignedTronTransaction {
  txID: string;
  raw_data: Record<string, unknown>;
  raw_data_hex: string;
  signature: string[];
}

export class TronChain {
  readonly config: TronChainConfig;
  readonly tronWeb: TronWeb;

  constructor(config: TronChainConfig, options: { timeoutMs: number }) {
    this.config = config;
    this.tronWeb = createTronWeb({ fullHost: config.fullHost, timeoutMs: options.timeoutMs });
  }

  get name(): string {
    return this.config.name;
  }

  get chainId(): bigint {
    return this.config.chainId;
  }

  /** The unsigned deposit of `amount` BTTOLD units from `sender` (base58) for `recipient` on BTTC. */
  async buildDeposit(sender: string, amount: bigint, recipient: string): Promise<{ transaction: Types.Transaction; memo: string }> {
    if (amount > MAX_TRC10_AMOUNT) {
      throw new ApiError("AMOUNT_TOO_LARGE", `a TRC-10 transfer is at most ${MAX_TRC10_AMOUNT} units`);
    }
    const memo = encodeSwapMemo(recipient);
    await this.checkFunds(sender, amount);
    try {
      const transfer = await this.tronWeb.transactionBuilder.sendToken(
        this.config.depositAddress,
        Number(amount), // exact: checked against MAX_SAFE_INTEGER above
        this.config.tokenId,
        sender,
      );
      const transaction = await this.tronWeb.transactionBuilder.addUpdateData(transfer, memo, "utf8", { txLocal: true });
      return { transaction, memo };
    } catch (cause) {
      // The node refuses to build for an account that cannot pay (no such account, short balance).
      const reason = shortReason(cause);
      if (/balance|not exist|no asset|insufficient|validate/i.test(reason)) {
        throw new ApiError("INSUFFICIENT_BALANCE", `${this.name}: the node refused the deposit: ${reason}`);
      }
      throw new ApiError("CHAIN_UNAVAILABLE", `${this.name}: could not build the deposit (${reason})`, { cause });
    }
  }

  /** The sender must hold the BTTOLD and the TRX for the memo fee: a node may build what it would refuse. */
  private async checkFunds(sender: string, amount: bigint): Promise<void> {
    let account: { balance?: number | string; assetV2?: { key: string; value: number | string }[] };
    try {
      account = await this.tronWeb.trx.getUnconfirmedAccount(sender); // the head, not the solidified view
    } catch (cause) {
      throw new ApiError("CHAIN_UNAVAILABLE", `${this.name}: could not read ${sender} (${shortReason(cause)})`, { cause });
    }
    // Exact integers: java-tron's JSON numbers stay below 2^63, and BigInt takes them as the node wrote
    // them when the node sends strings (int64_as_string).
    const bttold = BigInt(account.assetV2?.find((a) => a.key === this.config.tokenId)?.value ?? 0);
    if (bttold < amount) {
      throw new ApiError(
        "INSUFFICIENT_BALANCE",
        `${sender} holds ${bttold} units of TRC-10 ${this.config.tokenId} on ${this.name}, less than ${amount}`,
      );
    }
    const trx = BigInt(account.balance ?? 0);
    if (trx < this.config.memoFeeSun) {
      throw new ApiError(
        "INSUFFICIENT_BALANCE",
        `${sender} holds ${trx} sun on ${this.name}, less than the memo fee of ${this.config.memoFeeSun} sun`,
      );
    }
  }

  /** Broadcasts a transaction signed with TronWeb; returns its id as TRON writes it (64 hex digits, no 0x:
   * what TronWeb and explorers take; GET /v1/transfers?srcTx= takes it as it is). */
  async broadcast(tx: SignedTronTransaction): Promise<string> {
    if (sha256(`0x${tx.raw_data_hex}`).slice(2) !== tx.txID.toLowerCase()) {
      throw new ApiError("INVALID_TRANSACTION", "txID is not the SHA-256 of raw_data_hex");
    }
    let answer: { result?: boolean; txid?: string; code?: string; message?: string };
    try {
      answer = await this.tronWeb.trx.sendRawTransaction(tx as unknown as Types.SignedTransaction);
    } catch (cause) {
      throw new ApiError("CHAIN_UNAVAILABLE", `${this.name}: could not broadcast (${shortReason(cause)})`, { cause });
    }
    if (answer.result === true) return tx.txID.toLowerCase();
    const message =
      typeof answer.message === "string" && /^[0-9a-f]*$/i.test(answer.message)
        ? Buffer.from(answer.message, "hex").toString("utf8")
        : String(answer.message ?? "no reason given");
    throw new ApiError("BROADCAST_REJECTED", `${this.name}: the node refused the transaction: ${answer.code ?? "ERROR"} ${message}`);
  }

  /** The head block's number (for /health). */
  async headBlock(): Promise<bigint> {
    const block = await this.tronWeb.trx.getCurrentBlock();
    return BigInt(block.block_header.raw_data.number);
  }
}
