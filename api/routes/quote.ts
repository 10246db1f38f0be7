// GET /v1/quote: what a bridge transfer or a swap delivers, its fee, minimum and expected time.
import { z } from "zod";
import type { ApiContext, App } from "../context.ts";
import { amountSchema, chainNameSchema } from "../inputs.ts";
import { quoteJson } from "../quote.ts";
import { errors, quoteSchema } from "../schemas.ts";

export function quoteRoutes(app: App, ctx: ApiContext): void {
  const chain = chainNameSchema(ctx.chains.names());
  app.get(
    "/v1/quote",
    {
      schema: {
        summary: "Amount delivered, fee and expected time of a bridge transfer or a swap",
        tags: ["bridge"],
        querystring: z.object({
          kind: z.enum(["bridge", "swap"]),
          from: chain,
          to: chain.optional().meta({ description: "Destination (swaps: BTTC, the default)" }),
          amount: amountSchema,
        }),
        response: { 200: quoteSchema, ...errors(400, 422, 429, 503) },
      },
    },
    async (request) => quoteJson(await ctx.quoter.quote(request.query)),
  );
}
