// TRON deposits, read one by one by transaction id: a delivered TRON swap names its deposit by txid
// (srcRef), so the watchtower asks the node for that transaction rather than follow every block.
// `walletsolidity/gettransactionbyid` answers only for a transaction in a solidified block (final);
// `wallet/gettransactionbyid` also for one in a block not solidified yet, or still pending.
// Reads are GETs with int64_as_string (amounts beyond 2^53 arrive exact), through the shared retry loop
// with TRON's classifier; the axios error is not kept as a cause (it carries the request's headers).
import type { TronWeb } from "tronweb";
import { isRecord } from "../common/guards.ts";
import { createTronWeb } from "../common/rpc/tronweb.ts";
import { DEFAULT_RETRY, withRetry, type RetryOptions } from "../common/rpc/retry.ts";
import { TRON_TRANSIENT_MESSAGE, classifyTronError } from "../common/rpc/tron-classifier.ts";
import { fromBase58 } from "../common/tron/address.ts";
import type { WatchtowerTronConfig } from "./config.ts";
import { WatchtowerError } from "./errors.ts";

/** A transaction as the node describes it, the parts the check reads. */
export interface TronDeposit {
  /** 64 hex digits, no 0x. */
  txId: string;
  /** java-tron ran it with success. */
  succeeded: boolean;
  /** `raw_data.contract[0].type`, e.g. TransferAssetContract. */
  contractType: string;
  /** The TRC-10 token id (asset_name decoded), for a TransferAssetContract. */
  tokenId: string | null;
  /** Hex "41…", lower case. */
  to: string | null;
  /** Base units, exact. */
  amount: bigint | null;
  /** `raw_data.data` as bytes (the memo). */
  memo: Uint8Array;
}

export type TronLookup = { found: "final"; deposit: TronDeposit } | { found: "not-final" } | { found: "none" };

export class TronDeposits {
  readonly config: WatchtowerTronConfig;
  /** The deposit account, hex "41…" lower case. */
  readonly depositHex: string;
  private readonly tronWeb: TronWeb;
  private readonly retry: RetryOptions;
  private readonly onRpcError: (chain: string) => void;

  constructor(
    config: WatchtowerTronConfig,
    timeoutMs: number,
    options: { retry?: RetryOptions; onRpcError?: (chain: string) => void } = {},
  ) {
    this.config = config;
    this.depositHex = fromBase58(config.depositAddress)!.toLowerCase();
    this.tronWeb = createTronWeb({
      fullHost: config.fullHost,
      ...(config.solidityHost ? { solidityHost: config.solidityHost } : {}),
      timeoutMs,
    });
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.onRpcError = options.onRpcError ?? (() => {});
  }

  /** The transaction `txId` (64 hex digits, with or without 0x): final, seen but not final, or unknown. */
  async lookup(txId: string): Promise<TronLookup> {
    const id = txId.replace(/^0x/, "").toLowerCase();
    const solid = await this.get("walletsolidity", "gettransactionbyid", { value: id });
    if (Object.keys(solid).length > 0 && solid.ret !== undefined) {
      // Solidified, and at least solidityDepth below the head (a node whose solidity view runs ahead of
      // the configured depth is not trusted further than that).
      const info = await this.get("walletsolidity", "gettransactioninfobyid", { value: id });
      const head = await this.get("wallet", "getnowblock", {});
      const block = int64(info.blockNumber);
      const headNumber =
        isRecord(head.block_header) && isRecord(head.block_header.raw_data) ? int64(head.block_header.raw_data.number) : null;
      if (block !== null && headNumber !== null && block + BigInt(this.config.solidityDepth) > headNumber) return { found: "not-final" };
      return { found: "final", deposit: parseDeposit(id, solid) };
    }
    const full = await this.get("wallet", "gettransactionbyid", { value: id });
    return Object.keys(full).length > 0 ? { found: "not-final" } : { found: "none" };
  }

  private get(api: "wallet" | "walletsolidity", method: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    const operation = `${api}/${method}`;
    const provider = api === "wallet" ? this.tronWeb.fullNode : this.tronWeb.solidityNode;
    return withRetry(
      async () => {
        const answer: unknown = await provider.request(`${api}/${method}`, { ...params, int64_as_string: true }, "get");
        if (!isRecord(answer))
          throw new WatchtowerError("CHAIN_DATA", `${this.config.name}: ${operation} answered with something other than a JSON object`, {
            retryable: true,
          });
        if (answer.Error !== undefined) {
          const message = typeof answer.Error === "string" ? answer.Error : JSON.stringify(answer.Error);
          throw new WatchtowerError("TRON_API_ERROR", `${this.config.name}: ${operation}: the node answered "${message.slice(0, 300)}"`, {
            retryable: TRON_TRANSIENT_MESSAGE.test(message),
          });
        }
        return answer;
      },
      {
        ...this.retry,
        chain: this.config.name,
        operation,
        shouldRetry: classifyTronError,
        onRetry: () => this.onRpcError(this.config.name),
        giveUp: (failure) => {
          this.onRpcError(this.config.name);
          return new WatchtowerError("RPC_FAILED", `${this.config.name}: ${operation} failed (${failure.decision.reason})`, {
            retryable: true,
          });
        },
      },
    );
  }
}

function int64(value: unknown): bigint | null {
  if (typeof value === "string" && /^\d{1,19}$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  return null;
}

/** The parts of a transaction (java-tron's non-visible JSON) that a swap's check reads. */
export function parseDeposit(txId: string, json: Record<string, unknown>): TronDeposit {
  const raw = isRecord(json.raw_data) ? json.raw_data : {};
  const contracts = Array.isArray(raw.contract) ? raw.contract : [];
  const first: unknown = contracts[0];
  const type = isRecord(first) && typeof first.type === "string" ? first.type : "";
  const value = isRecord(first) && isRecord(first.parameter) && isRecord(first.parameter.value) ? first.parameter.value : {};
  const ret: unknown = Array.isArray(json.ret) ? json.ret[0] : undefined;
  const succeeded = isRecord(ret)
    ? ret.ret !== "FAILED" && (ret.contractRet === undefined || ret.contractRet === "SUCCESS")
    : ret === undefined;
  const hex = typeof raw.data === "string" && /^(?:[0-9a-fA-F]{2})*$/.test(raw.data) ? raw.data : "";
  const assetName = typeof value.asset_name === "string" && /^(?:[0-9a-fA-F]{2})+$/.test(value.asset_name) ? value.asset_name : null;
  return {
    txId,
    succeeded,
    contractType: type,
    tokenId: type === "TransferAssetContract" && assetName ? Buffer.from(assetName, "hex").toString("utf8") : null,
    to: typeof value.to_address === "string" ? value.to_address.toLowerCase() : null,
    amount: int64(value.amount),
    memo: Buffer.from(hex, "hex"),
  };
}
