// GET /v1/transfers/:id and GET /v1/transfers (history by address, cursor-paginated; lookup by source
// transaction), read from the followed relayer node's store.
import { z } from "zod";
import type { ApiContext, App } from "../context.ts";
import { chainNameSchema, transferIdSchema } from "../inputs.ts";
import { errors } from "../schemas.ts";
import { transferViewSchema } from "../transfers.ts";

export function transferRoutes(app: App, ctx: ApiContext): void {
  app.get(
    "/v1/transfers/:id",
    {
      schema: {
        summary: "One transfer: status, timeline with times and transaction hashes, signatures so far",
        tags: ["transfers"],
        params: z.object({ id: transferIdSchema }),
        response: { 200: transferViewSchema, ...errors(400, 404, 429) },
      },
    },
    async (request) => ctx.transfers.byId(request.params.id),
  );

  app.get(
    "/v1/transfers",
    {
      schema: {
        summary: "History of an address (newest first, paginated), or the transfers of a source transaction",
        tags: ["transfers"],
        querystring: z.object({
          address: z
            .string()
            .max(100)
            .regex(/^(0x[0-9a-fA-F]{40}|T[1-9A-HJ-NP-Za-km-z]{33})$/, "an EVM or base58 TRON address")
            .optional(),
          srcTx: z
            .string()
            .max(100)
            .regex(/^(0x)?[0-9a-fA-F]{64}$/, "a transaction hash")
            .optional(),
          chain: chainNameSchema(ctx.chains.names()).optional().meta({ description: "Only transfers from or to this chain" }),
          cursor: z.string().max(200).optional().meta({ description: "nextCursor of the previous page" }),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: {
          200: z.object({ transfers: z.array(transferViewSchema), nextCursor: z.string().nullable() }),
          ...errors(400, 429),
        },
      },
    },
    async (request) => ctx.transfers.history(request.query),
  );
}
