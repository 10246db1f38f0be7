// GET /v1/claims/:address: a deferred BTTC payout (a recipient whose code refused BTT gets a claimable
// balance instead) and the `claimFor` transaction anyone may send to pay it to the recipient itself.
import { z } from "zod";
import type { ApiContext, App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { evmAddressSchema } from "../inputs.ts";
import { errors, uintString, unsignedTransactionJson, unsignedTransactionSchema } from "../schemas.ts";

export function claimRoutes(app: App, ctx: ApiContext): void {
  const home = ctx.chains.home;
  app.get(
    "/v1/claims/:address",
    {
      schema: {
        summary: "A deferred BTTC payout of an address, and the claimFor transaction that pays it",
        tags: ["transfers"],
        params: z.object({ address: evmAddressSchema }),
        querystring: z.object({
          chain: z
            .enum([home.name])
            .optional()
            .meta({ description: `Only ${home.name} defers payouts` }),
        }),
        response: {
          200: z
            .object({ chain: z.string(), recipient: z.string(), amount: uintString, transaction: unsignedTransactionSchema })
            .meta({ id: "Claim" }),
          ...errors(400, 404, 429, 503),
        },
      },
    },
    async (request) => {
      const recipient = request.params.address;
      const amount = await home.read("claimable", () => home.gateway.getFunction("claimable")(recipient) as Promise<bigint>);
      if (amount === 0n) throw new ApiError("NOTHING_TO_CLAIM", `${recipient} has nothing to claim on ${home.name}`);
      const gasPrice = await home.legacyGasPrice();
      const data = home.gatewayInterface.encodeFunctionData("claimFor", [recipient]);
      return {
        chain: home.name,
        recipient,
        amount: amount.toString(),
        transaction: unsignedTransactionJson({
          chainId: home.chainId,
          to: home.config.gateway,
          data,
          value: 0n,
          ...(gasPrice === null ? {} : { gasPrice }),
        }),
      };
    },
  );
}
