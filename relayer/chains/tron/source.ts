// TRON as a source of swaps (docs/protocol.md, "TRON swaps"): TRC-10 BTTOLD (`1002000`) sent to the redenomination deposit
// address, each one a swap to the BTTC account its memo names (memo.ts), read from a TRON node's HTTP
// API with TronWeb.
//
// - Finality is TRON's solidified block: `heads()` reads `walletsolidity/getblock` (final) and
//   `wallet/getblock` (head), without transactions.
// - `transfersIn(from, to)` reads blocks with `getblockbylimitnext` in ranges of at most maxBlockRange
//   (java-tron serves at most 100 at once): first from `walletsolidity`, which serves only solidified
//   blocks, then from `wallet` for the rest of the range above the solidified block. Every block of the
//   range must come, in order, each the child of the one before; otherwise the read fails (retryable)
//   rather than skip a block.
// - A deposit is observed as a swap: id from (TRON chain id, deposit account, transaction id); amount
//   legacyToBtt(units, 6), i.e. 10^15 wei per unit; sender the depositor as base58 ("T…": the address a
//   refund goes to); srcTxHash, srcRef and blockHash are the transaction and block ids with 0x; logIndex
//   is the transaction's position in its block. Only transactions that succeeded count.
// - A deposit that cannot be swapped (memo missing or malformed, amount under the minimum) is observed
//   all the same, with `rejection` set and, for a memo failure, the zero address as recipient: nothing
//   sent to the deposit address goes unseen. Anything else sent to it (TRX, other TRC-10 tokens, TRC-20
//   `transfer` calls) is listed by `otherDepositsIn`, for refunds.
//
// Nothing here depends on the development node: point fullHost at java-tron (solidityHost at its
// solidity port, 8091, if that is separate) or at TronGrid (with its API key in `headers`).
import { ZeroAddress } from "ethers";
import type { TronWeb } from "tronweb";
import { BTTOLD_TRC10_DECIMALS, legacyToBtt } from "../../../common/redenomination.ts";
import { TransferKind, addressToBytes32, transferId, type Transfer } from "../../../common/transfer.ts";
import { ChainDataError, InvalidRequestError } from "../../errors.ts";
import type { ChainHeads, ObservedTransfer, SourceChain } from "../adapter.ts";
import type { RetryOptions } from "../../../common/rpc/retry.ts";
import { fromBase58, toBase58, toEvmAddress } from "../../../common/tron/address.ts";
import { isRecord } from "../../../common/guards.ts";
import {
  parseBlock,
  readInt64,
  recipientOf,
  transferValue,
  type RawContract,
  type TronBlock,
  type TronTransaction,
  type TronTransferValue,
} from "./blocks.ts";
import { TronHttp, type TronApi } from "./http.ts";
import { createTronWeb } from "../../../common/rpc/tronweb.ts";
import { decodeSwapMemo, type MemoRejectionReason } from "../../../common/tron/memo.ts";

/** java-tron's BLOCK_LIMIT_NUM: the most blocks one `getblockbylimitnext` returns. */
export const TRON_MAX_BLOCK_RANGE = 100;

export interface TronSourceConfig {
  name: string;
  /** The id this project gives TRON (e.g. 1337728 on the devnet, 728126428 on mainnet). */
  chainId: bigint;
  /** The node's HTTP API (java-tron's full node port, TronGrid, the development node). */
  fullHost: string;
  /** Where `walletsolidity/*` is served, if not at fullHost. */
  solidityHost?: string;
  /** Sent with every request, e.g. `{ "TRON-PRO-API-KEY": key }` for TronGrid. */
  headers?: Record<string, string>;
  /** The redenomination deposit address, base58 ("T…"). */
  depositAddress: string;
  /** The TRC-10 token swapped: "1002000". */
  tokenId: string;
  /** Swaps always land on BTTC. */
  bttcChainId: bigint;
  /** Deposits of fewer base units are rejected (refundable), not swapped. */
  minimumUnits: bigint;
  /** Blocks per `getblockbylimitnext`, 1..100. */
  maxBlockRange: number;
}

export interface TronSourceOptions {
  retry?: RetryOptions;
  /** Per HTTP request. Default 30 s. */
  timeoutMs?: number;
  /** A ready client instead of one built from fullHost/solidityHost/headers. */
  tronWeb?: TronWeb;
}

export type TronRejectionReason = MemoRejectionReason | "BELOW_MINIMUM";

export interface TronRejection {
  reason: TronRejectionReason;
  /** What was wrong, for the operator's refund list (quotes a bad memo, cut short). */
  detail: string;
}

/** A deposit of the swapped token. With `rejection`, it must never be attested: it is to be refunded. */
export interface TronObservedTransfer extends ObservedTransfer {
  legacyAmount: bigint;
  rejection?: TronRejection;
}

/** Something else sent to the deposit address: to be refunded by an operator. */
export interface OtherDeposit {
  asset: "TRX" | "TRC10" | "TRC20";
  /** "TRX", the TRC-10 token id, or the TRC-20 contract (base58). */
  token: string;
  /** In the asset's base units (sun for TRX). For TRC-20, what the call asked for (best effort: a
   * transfer that a contract moves on its own, or through transferFrom, is not seen). */
  amount: bigint;
  /** base58 ("T…"). */
  sender: string;
  /** raw_data.data, hex with 0x ("0x" when there is none). */
  memo: string;
  srcTxHash: string;
  blockNumber: bigint;
  blockHash: string;
  logIndex: number;
}

/** A transfer sent from the deposit account (a refund or a black-hole forwarding). */
export interface OutgoingTransfer {
  asset: "TRX" | "TRC10" | "TRC20";
  token: string;
  amount: bigint;
  /** base58. */
  to: string;
  /** raw_data.data as text (invalid UTF-8 replaced), "" when there is none. */
  memo: string;
  /** 64 hex digits, no 0x. */
  txId: string;
  blockNumber: bigint;
}

const TRANSFER_TYPES = new Set(["TransferContract", "TransferAssetContract", "TriggerSmartContract"]);

function readOwner(contract: RawContract): string | undefined {
  const owner = contract.value.owner_address;
  return typeof owner === "string" ? owner.toLowerCase() : undefined;
}

export interface TronScan {
  transfers: TronObservedTransfer[];
  others: OtherDeposit[];
}

export class TronSource implements SourceChain {
  readonly name: string;
  readonly chainId: bigint;
  /** base58 ("T…"). */
  readonly depositAddress: string;
  /** The TRC-10 token swapped. */
  readonly tokenId: string;
  /** The deposit account's 20 bytes, left-padded: every swap's srcGateway. */
  readonly srcGateway: string;
  private readonly depositHex: string;
  private readonly config: TronSourceConfig;
  private readonly http: TronHttp;

  constructor(config: TronSourceConfig, options: TronSourceOptions = {}) {
    const depositHex = fromBase58(config.depositAddress);
    if (depositHex === undefined) {
      throw new InvalidRequestError(`${config.name}: depositAddress ${config.depositAddress} is not a base58 TRON address (T…)`);
    }
    if (!/^[1-9]\d*$/.test(config.tokenId)) throw new InvalidRequestError(`${config.name}: tokenId ${config.tokenId} is not a TRC-10 id`);
    if (!Number.isSafeInteger(config.maxBlockRange) || config.maxBlockRange < 1 || config.maxBlockRange > TRON_MAX_BLOCK_RANGE) {
      throw new InvalidRequestError(`${config.name}: maxBlockRange must be 1..${TRON_MAX_BLOCK_RANGE}, got ${config.maxBlockRange}`);
    }
    if (config.minimumUnits < 0n) throw new InvalidRequestError(`${config.name}: minimumUnits must not be negative`);
    this.name = config.name;
    this.chainId = config.chainId;
    this.depositAddress = config.depositAddress;
    this.tokenId = config.tokenId;
    this.depositHex = depositHex;
    this.srcGateway = addressToBytes32(toEvmAddress(depositHex));
    this.config = config;
    const tronWeb = options.tronWeb ?? createTronWeb({ ...config, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
    this.http = new TronHttp(config.name, tronWeb, options.retry);
  }

  async heads(): Promise<ChainHeads> {
    // The solidified block first: read after it, the head cannot come out lower than it.
    const finalized = (await this.nowBlock("walletsolidity")).number;
    const head = (await this.nowBlock("wallet")).number;
    return { head: head > finalized ? head : finalized, finalized };
  }

  async blockHash(number: bigint): Promise<string | null> {
    if (number < 0n) throw new InvalidRequestError(`${this.name}: block number ${number} is negative`);
    const answer = await this.http.get("wallet", "getblock", { id_or_num: number.toString(), detail: false });
    if (Object.keys(answer).length === 0) return null;
    const block = this.parse(answer);
    if (block.number !== number) throw new ChainDataError(`${this.name}: asked for block ${number}, got block ${block.number}`);
    return `0x${block.id}`;
  }

  /** Every deposit of the swapped token in blocks [from, to], in chain order, rejected ones included. */
  async transfersIn(from: bigint, to: bigint): Promise<TronObservedTransfer[]> {
    return (await this.scan(from, to)).transfers;
  }

  /** Everything else sent to the deposit address in blocks [from, to], in chain order. */
  async otherDepositsIn(from: bigint, to: bigint): Promise<OtherDeposit[]> {
    return (await this.scan(from, to)).others;
  }

  /** Both lists from one read of blocks [from, to]. */
  async scan(from: bigint, to: bigint): Promise<TronScan> {
    const result: TronScan = { transfers: [], others: [] };
    await this.eachTransaction(from, to, (block, tx) => this.collect(block, tx, result));
    return result;
  }

  /**
   * Transfers sent from the deposit account in blocks [from, to] (final or not), in chain order, with
   * their memos: the refunds and black-hole forwardings made so far, as the chain has them.
   */
  async outgoingIn(from: bigint, to: bigint): Promise<OutgoingTransfer[]> {
    const out: OutgoingTransfer[] = [];
    await this.eachTransaction(from, to, (block, tx) => {
      if (!tx.succeeded || !tx.contract || !TRANSFER_TYPES.has(tx.contract.type)) return;
      if (readOwner(tx.contract) !== this.depositHex) return;
      const value = transferValue(tx.contract, tx.id);
      out.push({
        asset: value.asset,
        token: tokenOf(value),
        amount: value.amount,
        to: toBase58(value.to),
        memo: Buffer.from(tx.dataHex, "hex").toString("utf8"),
        txId: tx.id,
        blockNumber: block.number,
      });
    });
    return out;
  }

  /** The block holding transaction `txId` (64 hex digits, with or without 0x) if it is solidified. */
  async solidifiedBlockOf(txId: string): Promise<bigint | null> {
    const id = txId.replace(/^0x/, "").toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(id)) throw new InvalidRequestError(`${this.name}: ${txId} is not a transaction id`);
    const info = await this.http.get("walletsolidity", "gettransactioninfobyid", { value: id });
    if (Object.keys(info).length === 0) return null;
    return readInt64(info.blockNumber, `${this.name}: transaction ${id} blockNumber`);
  }

  /** Calls `visit` for every transaction of blocks [from, to], in chain order, each block checked to be
   * the child of the one before. */
  private async eachTransaction(from: bigint, to: bigint, visit: (block: TronBlock, tx: TronTransaction) => void): Promise<void> {
    if (from < 0n || to < from) throw new InvalidRequestError(`${this.name}: invalid block range ${from}..${to}`);
    const step = BigInt(this.config.maxBlockRange);
    let parent: TronBlock | undefined;
    for (let start = from; start <= to; start += step) {
      const end = start + step - 1n < to ? start + step - 1n : to;
      for (const block of await this.blocks(start, end)) {
        if (parent && block.parentId !== parent.id) {
          throw new ChainDataError(`${this.name}: block ${block.number} is not the child of block ${parent.number} read before it`);
        }
        parent = block;
        for (const tx of block.transactions) {
          try {
            visit(block, tx);
          } catch (error) {
            throw this.named(error);
          }
        }
      }
    }
  }

  private collect(block: TronBlock, tx: TronTransaction, into: TronScan): void {
    if (!tx.succeeded || !tx.contract || recipientOf(tx.contract) !== this.depositHex) return;
    const value = transferValue(tx.contract, tx.id);
    if (value.to !== this.depositHex) return;
    if (value.amount < 0n) throw new ChainDataError(`${this.name}: transaction ${tx.id} sends a negative amount`);
    if (value.asset === "TRC10" && value.tokenId === this.config.tokenId) {
      into.transfers.push(this.observe(block, tx, value.owner, value.amount));
    } else {
      into.others.push({
        asset: value.asset,
        token: tokenOf(value),
        amount: value.amount,
        sender: toBase58(value.owner),
        memo: `0x${tx.dataHex}`,
        srcTxHash: `0x${tx.id}`,
        blockNumber: block.number,
        blockHash: `0x${block.id}`,
        logIndex: tx.index,
      });
    }
  }

  private observe(block: TronBlock, tx: TronTransaction, owner: string, units: bigint): TronObservedTransfer {
    const memo = decodeSwapMemo(tx.dataHex === "" ? undefined : Buffer.from(tx.dataHex, "hex"));
    let rejection: TronRejection | undefined;
    if (!memo.ok) {
      rejection = { reason: memo.reason, detail: memo.detail };
    } else if (units < this.config.minimumUnits) {
      rejection = {
        reason: "BELOW_MINIMUM",
        detail: `${units} units is under the minimum swap of ${this.config.minimumUnits} units`,
      };
    }
    const transfer: Transfer = {
      srcChainId: this.chainId,
      srcGateway: this.srcGateway,
      srcRef: `0x${tx.id}`,
      kind: TransferKind.Swap,
      dstChainId: this.config.bttcChainId,
      recipient: memo.ok ? memo.recipient : ZeroAddress,
      amount: legacyToBtt(units, BTTOLD_TRC10_DECIMALS),
    };
    const observed: TronObservedTransfer = {
      id: transferId(transfer),
      transfer,
      sender: toBase58(owner),
      fee: 0n,
      legacyAmount: units,
      srcTxHash: `0x${tx.id}`,
      blockNumber: block.number,
      blockHash: `0x${block.id}`,
      logIndex: tx.index,
    };
    if (rejection) observed.rejection = rejection;
    return observed;
  }

  /** Blocks start..end (at most 100), each exactly once and in order: solidified ones from
   * `walletsolidity`, the rest from `wallet`. */
  private async blocks(start: bigint, end: bigint): Promise<TronBlock[]> {
    const blocks = await this.blockRange("walletsolidity", start, end);
    const next = start + BigInt(blocks.length);
    if (next <= end) blocks.push(...(await this.blockRange("wallet", next, end)));
    const served = start + BigInt(blocks.length);
    if (served <= end) {
      throw new ChainDataError(`${this.name}: ${this.http.describe()} does not serve blocks ${served}..${end} (past its head?)`);
    }
    return blocks;
  }

  /** `getblockbylimitnext` for [start, end]: the blocks the node has from `start` on, checked to be those. */
  private async blockRange(api: TronApi, start: bigint, end: bigint): Promise<TronBlock[]> {
    const answer = await this.http.get(api, "getblockbylimitnext", {
      startNum: start.toString(),
      endNum: (end + 1n).toString(),
    });
    const list = answer.block ?? [];
    if (!Array.isArray(list)) throw new ChainDataError(`${this.name}: ${api}/getblockbylimitnext answered without a block list`);
    const blocks = list.map((json) => this.parse(json));
    blocks.forEach((block, i) => {
      const expected = start + BigInt(i);
      if (block.number !== expected || expected > end) {
        throw new ChainDataError(`${this.name}: ${api}/getblockbylimitnext ${start}..${end} answered block ${block.number} at place ${i}`);
      }
    });
    return blocks;
  }

  private async nowBlock(api: TronApi): Promise<TronBlock> {
    return this.parse(await this.http.get(api, "getblock", { detail: false }));
  }

  private parse(json: unknown): TronBlock {
    try {
      return parseBlock(json);
    } catch (error) {
      throw this.named(error);
    }
  }

  /** blocks.ts reports what it finds malformed without knowing the chain: name it. */
  private named(error: unknown): unknown {
    return error instanceof ChainDataError && !error.message.startsWith(`${this.name}: `)
      ? new ChainDataError(`${this.name}: ${error.message}`, { cause: error })
      : error;
  }
}

function tokenOf(value: TronTransferValue): string {
  switch (value.asset) {
    case "TRX":
      return "TRX";
    case "TRC10":
      return value.tokenId;
    case "TRC20":
      return toBase58(value.contract);
  }
}

/** Whether an observed transfer carries a rejection (a TRON deposit to refund, never to attest). */
export function isRejected(observed: ObservedTransfer): observed is TronObservedTransfer & { rejection: TronRejection } {
  return "rejection" in observed && isRecord(observed.rejection);
}
