// GET /v1/chains: the chains this bridge spans, their ids, gateway and token addresses, finality rules,
// daily caps and routes (fee and minimum per destination), read from the gateways.
import { z } from "zod";
import { EvmChain } from "../chains/evm-chain.ts";
import type { ApiContext, App } from "../context.ts";
import { errors, uintString } from "../schemas.ts";

const chainSchema = z.object({
  name: z.string(),
  family: z.enum(["evm", "tron"]),
  role: z.enum(["bttc", "remote", "swap-source"]),
  chainId: uintString,
  gateway: z.string().nullable(),
  bridgedToken: z.string().nullable().meta({ description: "Bridged BTT (remote chains: the gateway itself)" }),
  legacyToken: z.string().nullable().meta({ description: "Legacy BTTOLD (EVM address, or the TRC-10 id on TRON)" }),
  depositAddress: z.string().nullable().meta({ description: "TRON: where BTTOLD is sent to swap" }),
  finality: z.string(),
  paused: z.boolean().nullable(),
  dailyLimit: uintString.nullable(),
  dailyLimitAvailable: uintString.nullable(),
  routes: z.array(z.object({ to: z.string(), fee: uintString, minAmount: uintString })),
});

export function chainRoutes(app: App, ctx: ApiContext): void {
  app.get(
    "/v1/chains",
    {
      schema: {
        summary: "Chains, ids, gateway and token addresses, finality rules, caps",
        tags: ["bridge"],
        response: { 200: z.object({ chains: z.array(chainSchema) }), ...errors(429, 503) },
      },
    },
    async () => {
      const chains = await Promise.all(
        ctx.chains.all.map(async (chain) => {
          if (!(chain instanceof EvmChain)) {
            const c = chain.config;
            return {
              name: c.name,
              family: "tron" as const,
              role: "swap-source" as const,
              chainId: c.chainId.toString(),
              gateway: null,
              bridgedToken: null,
              legacyToken: c.tokenId,
              depositAddress: c.depositAddress,
              finality: `solidified block (${c.solidityDepth} blocks behind the head)`,
              paused: null,
              dailyLimit: null,
              dailyLimitAvailable: null,
              routes: [],
            };
          }
          const c = chain.config;
          const others = ctx.chains.evmChains().filter((o) => o !== chain);
          const [status, legacyToken, routes] = await Promise.all([
            chain.status(),
            chain.legacyToken(),
            Promise.all(others.map(async (o) => ({ to: o.name, route: await chain.route(o.chainId) }))),
          ]);
          return {
            name: c.name,
            family: "evm" as const,
            role: c.role,
            chainId: c.chainId.toString(),
            gateway: c.gateway,
            bridgedToken: c.role === "remote" ? c.gateway : null,
            legacyToken,
            depositAddress: null,
            finality: "tag" in c.finality ? "the node's finalized tag" : `${c.finality.confirmations} blocks deep`,
            paused: status.paused,
            dailyLimit: status.dailyLimit.toString(),
            dailyLimitAvailable: status.dailyLimitAvailable.toString(),
            routes: routes
              .filter((r) => r.route.enabled)
              .map((r) => ({ to: r.to, fee: r.route.fee.toString(), minAmount: r.route.minAmount.toString() })),
          };
        }),
      );
      return { chains };
    },
  );
}
