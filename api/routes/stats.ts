// GET /v1/stats: locked, minted, swapped and in flight per chain, and whether the accounting invariant
// holds (accounting.ts), read from the chains.
import { z } from "zod";
import { statsJson } from "../accounting.ts";
import type { ApiContext, App } from "../context.ts";
import { errors, uintString } from "../schemas.ts";

const chainStats = z.object({
  chain: z.string(),
  role: z.enum(["bttc", "remote"]),
  locked: uintString.nullable(),
  /** BTTC: a surplus its gateway reports apart (null when its `accounting()` has none). */
  surplus: uintString.nullable(),
  /** BTTC: how far its gateway's balance falls short of what it owes (a violation when above 0). */
  deficit: uintString.nullable(),
  minted: uintString.nullable(),
  swapped: uintString,
  swapOwed: uintString.nullable(),
  feesHeld: uintString,
  reserveBalance: uintString.nullable(),
  inFlight: z.object({ bridge: uintString, swap: uintString, transfers: z.number().int() }),
});

export function statsRoutes(app: App, ctx: ApiContext): void {
  app.get(
    "/v1/stats",
    {
      schema: {
        summary: "Locked, minted, swapped and in flight per chain; whether the accounting invariant holds",
        tags: ["bridge"],
        response: {
          200: z.object({
            chains: z.array(chainStats),
            invariant: z.object({
              holds: z.boolean(),
              // `surplus`: locked beyond minted + in flight (BTT forced in), never a violation; less is one.
              bridge: z.object({ locked: uintString, minted: uintString, inFlight: uintString, surplus: uintString, holds: z.boolean() }),
              swap: z.object({
                reservePaid: uintString,
                owedByEvmSources: uintString,
                evmInFlight: uintString,
                paidForOtherSources: z.string(),
                holds: z.boolean(),
              }),
            }),
            scannedTo: z.record(z.string(), z.string()),
          }),
          ...errors(429, 503),
        },
      },
    },
    async () => statsJson(await ctx.accounting.stats()),
  );
}
