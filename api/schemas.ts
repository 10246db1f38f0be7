// Response pieces shared by several routes (and named in the OpenAPI document).
import { z } from "zod";
import { errorBodySchema } from "./errors.ts";
import { tokenPairSchema } from "./tokens.ts";

export const uintString = z.string().meta({ description: "A non-negative integer as a decimal string" });

export const quoteSchema = z
  .object({
    kind: z.enum(["bridge", "swap"]),
    from: z.string(),
    to: z.string(),
    amountIn: uintString.meta({ description: "What the sender sends, in source base units (BTT wei; swaps: BTTOLD base units)" }),
    amountOut: uintString.meta({ description: "What the recipient receives, in BTT wei" }),
    fee: uintString.meta({ description: "The bridge's fee in BTT wei, taken from amountIn (swaps: 0)" }),
    minimum: uintString.meta({ description: "Smallest amountIn accepted" }),
    networkFees: z.array(z.object({ chain: z.string(), amount: uintString, unit: z.string(), what: z.string() })),
    expectedSeconds: z.number().int(),
    delayedBy: z
      .string()
      .nullable()
      .meta({ description: "Why the transfer would wait as `delayed` now (a cap, the reserve), if it would" }),
    legacyDecimals: z.number().int().nullable(),
    tokens: tokenPairSchema,
  })
  .meta({ id: "Quote" });

/** A transaction for any account to sign and send (an `evm` step's, without `from`). */
export const unsignedTransactionSchema = z.object({
  chainId: uintString,
  to: z.string(),
  data: z.string(),
  value: uintString,
  type: z.literal(0).optional().meta({ description: "0 (legacy) on a chain that takes no EIP-1559 transactions (BTTC)" }),
  gasPrice: uintString.optional().meta({ description: "With type 0: the chain's gas price (wei) now" }),
});

export function unsignedTransactionJson(t: { chainId: bigint; to: string; data: string; value: bigint; gasPrice?: bigint }) {
  const fees = t.gasPrice === undefined ? {} : { type: 0 as const, gasPrice: t.gasPrice.toString() };
  return { chainId: t.chainId.toString(), to: t.to, data: t.data, value: t.value.toString(), ...fees };
}

const evmStepSchema = z.object({
  family: z.literal("evm"),
  action: z.enum(["approve", "redenominate", "bridge"]),
  description: z.string(),
  transaction: z.object({
    chainId: uintString,
    from: z.string(),
    to: z.string(),
    data: z.string(),
    value: uintString,
    type: z.literal(0).optional().meta({ description: "0 (legacy) on a chain that takes no EIP-1559 transactions (BTTC)" }),
    gasPrice: uintString
      .optional()
      .meta({ description: "With type 0: the chain's gas price (wei) now; absent where the wallet picks EIP-1559 fees" }),
  }),
});

const tronStepSchema = z.object({
  family: z.literal("tron"),
  action: z.literal("deposit"),
  description: z.string(),
  memo: z.string(),
  transaction: z.record(z.string(), z.unknown()).meta({ description: "An unsigned TronWeb transaction: sign with tronWeb.trx.sign" }),
});

const permitSchema = z
  .object({
    domain: z.object({ name: z.string(), version: z.string(), chainId: uintString, verifyingContract: z.string() }),
    types: z.object({ Permit: z.array(z.object({ name: z.string(), type: z.string() })) }),
    primaryType: z.literal("Permit"),
    message: z.object({ owner: z.string(), spender: z.string(), value: uintString, nonce: uintString, deadline: uintString }),
  })
  .meta({
    id: "PermitOffer",
    description: "EIP-2612 typed data to sign instead of sending the approval; then ask again with `permit: {deadline, signature}`",
  });

export const builtSchema = z
  .object({
    quote: quoteSchema,
    steps: z.array(z.discriminatedUnion("family", [evmStepSchema, tronStepSchema])),
    permit: permitSchema.nullable(),
    warnings: z
      .array(z.object({ code: z.enum(["RECIPIENT_IS_CONTRACT"]), message: z.string() }))
      .meta({ description: "What to know before signing; RECIPIENT_IS_CONTRACT: the recipient is a contract on the destination" }),
  })
  .meta({ id: "Transactions", description: "The transactions to sign and send, in order" });

/** The error responses a route may give, for its schema. */
export function errors(...statuses: number[]): Record<number, typeof errorBodySchema> {
  return Object.fromEntries(statuses.map((s) => [s, errorBodySchema]));
}
