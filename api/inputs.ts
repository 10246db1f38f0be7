// Request fields shared by the routes, as zod schemas (so they are in the OpenAPI document too). A field
// with its own error code marks its issues with it (errors.ts reads it back): an amount is a decimal
// string of base units, 1 to 2^256 − 1, nothing else; an address is an EVM address.
import { ZeroAddress, getAddress, isAddress } from "ethers";
import { z } from "zod";
import { isTronAddress } from "../common/tron/address.ts";
import { ApiError, issueParams, type ErrorCode } from "./errors.ts";

export const MAX_UINT256 = (1n << 256n) - 1n;

/** Why `text` is not an amount, or null if it is one. */
export function amountProblem(text: string): { code: ErrorCode; message: string } | null {
  const t = text.trim();
  if (/^-\s*\d/.test(t)) return { code: "AMOUNT_NEGATIVE", message: "amount must not be negative" };
  if (/^\+?\d*[.,]\d+$/.test(t) || /^\d+[.,]$/.test(t)) {
    return { code: "AMOUNT_FRACTIONAL", message: "amount is in base units: a whole number, no decimal point" };
  }
  if (!/^\d+$/.test(text)) return { code: "INVALID_AMOUNT", message: 'amount must be a decimal string of base units, e.g. "1000000"' };
  // Leading zeros aside, 2^256 − 1 has 78 digits: anything with more is too large without BigInt's work.
  const digits = text.replace(/^0+/, "");
  if (digits === "") return { code: "AMOUNT_ZERO", message: "amount must be greater than zero" };
  if (digits.length > 78 || BigInt(digits) > MAX_UINT256) {
    return { code: "AMOUNT_TOO_LARGE", message: "amount must be at most 2^256 − 1" };
  }
  return null;
}

export const amountSchema = z
  .string()
  .max(1_000)
  .superRefine((text, ctx) => {
    const problem = amountProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem.message, params: issueParams(problem.code) });
  })
  .transform((text) => BigInt(text))
  .meta({ description: "Base units as a decimal string, 1 to 2^256 − 1", example: "1000000000000000000" });

/** An EVM address (any case that passes EIP-55), not the zero address; checksummed on the way in. */
export const evmAddressSchema = z
  .string()
  .max(200)
  .superRefine((text, ctx) => {
    if (!isAddress(text)) {
      ctx.addIssue({
        code: "custom",
        message: "not an EVM address (0x and 40 hex digits, EIP-55 case)",
        params: issueParams("INVALID_ADDRESS"),
      });
    } else if (getAddress(text) === ZeroAddress) {
      ctx.addIssue({ code: "custom", message: "the zero address cannot receive", params: issueParams("INVALID_ADDRESS") });
    }
  })
  .transform((text) => getAddress(text))
  .meta({ description: "An EVM address", example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });

/** A sender on its chain: an EVM address, or a base58 TRON address for TRON. */
export const accountSchema = z.string().max(200).meta({ description: "An EVM address, or a base58 TRON address (T…) for TRON" });

export function tronAddress(text: string, field: string): string {
  if (!isTronAddress(text)) {
    throw new ApiError("INVALID_ADDRESS", `${field}: not a base58 TRON address (T…)`);
  }
  return text;
}

export function evmAddress(text: string, field: string): string {
  const parsed = evmAddressSchema.safeParse(text);
  if (!parsed.success) throw new ApiError("INVALID_ADDRESS", `${field}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export const transferIdSchema = z
  .string()
  .max(200)
  .superRefine((text, ctx) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(text)) {
      ctx.addIssue({ code: "custom", message: "a transfer id is 0x and 64 hex digits", params: issueParams("INVALID_TRANSFER_ID") });
    }
  })
  .transform((text) => text.toLowerCase())
  .meta({ description: "keccak256(abi.encode(srcChainId, srcGateway, srcRef))", example: `0x${"ab".repeat(32)}` });

/** A chain name among the configured ones. */
export function chainNameSchema(names: readonly string[]) {
  return z
    .string()
    .max(200)
    .superRefine((text, ctx) => {
      if (!names.includes(text)) {
        ctx.addIssue({
          code: "custom",
          message: `unknown chain "${text.slice(0, 40)}"; known: ${names.join(", ")}`,
          params: issueParams("UNKNOWN_CHAIN"),
        });
      }
    })
    .meta({ description: "A chain name", enum: [...names] });
}
