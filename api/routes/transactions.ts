// POST /v1/swaps and POST /v1/bridge: the transactions a user signs (in order), built from a fresh quote.
import { z } from "zod";
import { permitJson, stepJson, type Built } from "../builders.ts";
import type { ApiContext, App } from "../context.ts";
import { accountSchema, amountSchema, chainNameSchema, evmAddressSchema } from "../inputs.ts";
import { quoteJson } from "../quote.ts";
import { builtSchema, errors } from "../schemas.ts";

function builtJson(built: Built) {
  return { quote: quoteJson(built.quote), steps: built.steps.map(stepJson), permit: permitJson(built.permit), warnings: built.warnings };
}

export function transactionRoutes(app: App, ctx: ApiContext): void {
  const chain = chainNameSchema(ctx.chains.names());
  app.post(
    "/v1/swaps",
    {
      schema: {
        summary: "The transactions that swap legacy BTTOLD for BTT on BTTC (1 BTTOLD = 1,000 BTT)",
        description:
          "From an EVM chain: an approval where the allowance is short, then `redenominate`. From TRON: an unsigned " +
          "TRC-10 1002000 transfer to the deposit address with the swap memo (TRON charges 1 TRX for the memo).",
        tags: ["swap"],
        body: z.object({
          from: chain,
          amount: amountSchema.meta({ description: "BTTOLD in its base units (TRON: 10^-6)" }),
          sender: accountSchema,
          recipient: evmAddressSchema.meta({ description: "Who receives BTT on BTTC" }),
          permit: z
            .object({
              deadline: z
                .string()
                .max(80)
                .regex(/^\d{1,78}$/, "a decimal string")
                .transform((d) => BigInt(d)),
              signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "a 65-byte signature in hex"),
            })
            .optional()
            .meta({ description: "EVM swaps: the signed `permit` offered by an earlier answer, instead of an approval" }),
        }),
        response: { 200: builtSchema, ...errors(400, 413, 415, 422, 429, 503) },
      },
    },
    async (request) => builtJson(await ctx.builder.swap(request.body)),
  );

  app.post(
    "/v1/bridge",
    {
      schema: {
        summary: "The transaction that bridges BTT from one chain to another",
        description:
          "From BTTC: `bridge` with the amount as value (native BTT is locked). From a remote chain: `bridge`, which burns bridged BTT.",
        tags: ["bridge"],
        body: z.object({
          from: chain,
          to: chain,
          amount: amountSchema.meta({ description: "BTT wei sent, the fee included" }),
          sender: evmAddressSchema,
          recipient: evmAddressSchema,
        }),
        response: { 200: builtSchema, ...errors(400, 413, 415, 422, 429, 503) },
      },
    },
    async (request) => builtJson(await ctx.builder.bridge(request.body)),
  );
}
