// GET /v1/transfers/:id/delivery: the unsigned transaction anyone may send to deliver a transfer that
// waits (api/self-delivery.ts).
import { z } from "zod";
import type { ApiContext, App } from "../context.ts";
import { transferIdSchema } from "../inputs.ts";
import { SelfDeliveryBuilder } from "../self-delivery.ts";
import { errors, unsignedTransactionSchema, unsignedTransactionJson } from "../schemas.ts";

export function deliveryRoutes(app: App, ctx: ApiContext): void {
  const builder = new SelfDeliveryBuilder(ctx.chains, ctx.transfers.records, ctx.deliveries);
  app.get(
    "/v1/transfers/:id/delivery",
    {
      schema: {
        summary: "Deliver it yourself: the transaction that delivers the transfer, with the validators' signatures",
        description:
          "Built from the batch the followed node collected signatures for: `deliver` when that batch held this transfer " +
          "alone, else `deliverBatch` of exactly that batch (the gateway skips what was delivered meanwhile). Exactly the " +
          "threshold of signatures of the destination's current validator set, ascending by signer. Any account may send it.",
        tags: ["transfers"],
        params: z.object({ id: transferIdSchema }),
        response: {
          200: z
            .object({
              transferId: z.string(),
              chain: z.string(),
              method: z.enum(["deliver", "deliverBatch"]),
              batchSize: z.number().int().meta({ description: "Transfers in the signed batch" }),
              signatures: z.number().int(),
              threshold: z.number().int(),
              signers: z.array(z.string()),
              transaction: unsignedTransactionSchema,
            })
            .meta({ id: "SelfDelivery" }),
          ...errors(400, 404, 409, 429, 503),
        },
      },
    },
    async (request) => {
      const built = await builder.build(request.params.id.toLowerCase());
      return { ...built, transaction: unsignedTransactionJson(built.transaction) };
    },
  );
}
