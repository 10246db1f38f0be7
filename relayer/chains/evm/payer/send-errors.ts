// What a node's answer to a send means, and the payer's own error.
import { isRecord } from "../../../../common/guards.ts";
import { RelayerError } from "../../../errors.ts";
import { classifyRpcError } from "../../../../common/rpc/evm-classifier.ts";

export class PayerError extends RelayerError {}

/** How nodes say a transaction's fee cap is under the next block's base fee (Hardhat/EDR, geth, erigon). */
export const BASE_FEE_TOO_LOW =
  /too low for the next block|less than (the )?block base fee|fee cap less than block base fee|max fee per gas less than/i;

export type SendOutcome =
  | { kind: "sent" }
  | { kind: "nonce-low" | "nonce-high" | "occupied" | "uncertain"; reason: string }
  | { kind: "refused"; reason: string; retryable: boolean; insufficientFunds: boolean };

/** What a node's answer to eth_sendRawTransaction means for the nonce. */
export function classifySend(error: unknown): SendOutcome | { kind: "known" } {
  const code = isRecord(error) && typeof error.code === "string" ? error.code : "";
  const messages = messagesOf(error);
  const text = messages.join(" | ");
  // The innermost message is the node's own words; ethers' outer ones repeat the whole request.
  const reason = (messages.at(-1) ?? code ?? "unknown error").slice(0, 300);
  if (/already known|known transaction|already imported|alreadyknown/i.test(text)) return { kind: "known" };
  if (code === "NONCE_EXPIRED" || /nonce too low|nonce has already been used|expected nonce to be at least|oldnonce/i.test(text)) {
    return { kind: "nonce-low", reason };
  }
  if (/nonce too high|nonce gap|can't be queued/i.test(text)) return { kind: "nonce-high", reason };
  if (code === "REPLACEMENT_UNDERPRICED" || /replacement (transaction )?underpriced|replacement fee too low/i.test(text)) {
    return { kind: "occupied", reason };
  }
  const insufficientFunds = code === "INSUFFICIENT_FUNDS" || /insufficient funds|enough funds/i.test(text);
  if (insufficientFunds) return { kind: "refused", reason, retryable: true, insufficientFunds };
  if (!hasRpcAnswer(error) && classifyRpcError(error).retryable) return { kind: "uncertain", reason };
  const retryable = /underpriced|fee too low|pool is full|txpool is full|rate.?limit|too many requests/i.test(text);
  return { kind: "refused", reason, retryable, insufficientFunds: false };
}

/** Whether the error carries a JSON-RPC error object, i.e. the node itself answered. */
function hasRpcAnswer(error: unknown): boolean {
  if (!isRecord(error)) return false;
  const inner = isRecord(error.error) ? error.error : isRecord(error.info) && isRecord(error.info.error) ? error.info.error : undefined;
  return inner !== undefined && typeof inner.code === "number";
}

function messagesOf(error: unknown): string[] {
  const found: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isRecord(current); depth++) {
    for (const key of ["shortMessage", "message"] as const) {
      if (typeof current[key] === "string") found.push(current[key]);
    }
    const info = current.info;
    current = current.error ?? (isRecord(info) ? info.error : undefined) ?? current.cause;
  }
  return found;
}
