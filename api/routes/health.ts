// GET /health (readiness: chains, Redis, relayers; 503 when Redis or a chain is down, or fewer relayer
// nodes are healthy than deliveries need) and GET /metrics (Prometheus).
import { z } from "zod";
import type { ApiContext, App } from "../context.ts";
import { checkHealth } from "../health.ts";

const check = z.object({ ok: z.boolean(), detail: z.string() });
const report = z.object({
  ok: z.boolean(),
  redis: check,
  chains: z.record(z.string(), check),
  relayers: z.record(z.string(), check),
  relayerQuorum: z.object({ ok: z.boolean(), healthy: z.number().int(), threshold: z.number().int().nullable(), detail: z.string() }),
});

export function healthRoutes(app: App, ctx: ApiContext): void {
  app.get(
    "/health",
    {
      config: { rateLimit: false },
      schema: {
        summary: "Readiness: chains, Redis, relayer nodes (each reported; 503 below the signature threshold)",
        tags: ["operations"],
        response: { 200: report, 503: report },
      },
    },
    async (_request, reply) => {
      const health = await checkHealth(ctx.config, ctx.chains, ctx.redis);
      return reply.code(health.ok ? 200 : 503).send(health);
    },
  );

  app.get(
    "/metrics",
    { config: { rateLimit: false }, schema: { summary: "Prometheus metrics (text format)", tags: ["operations"] } },
    async (_request, reply) => {
      await refreshGauges(ctx);
      return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
    },
  );
}

/**
 * The gauges alerts read (relayer quorum, the accounting invariant), computed at each scrape. A check that
 * fails leaves its gauges as they were (Prometheus then sees them go stale rather than a false "holds"),
 * and /metrics still answers: an unreachable chain is /health's to report.
 */
async function refreshGauges(ctx: ApiContext): Promise<void> {
  const { metrics } = ctx;
  await Promise.all([
    checkHealth(ctx.config, ctx.chains, ctx.redis).then(
      ({ relayerQuorum }) => {
        metrics.relayersHealthy.set(relayerQuorum.healthy);
        if (relayerQuorum.threshold !== null) metrics.relayerThreshold.set(relayerQuorum.threshold);
      },
      () => undefined,
    ),
    ctx.accounting.stats().then(
      ({ invariant }) => {
        metrics.invariantHolds.set({ check: "bridge" }, invariant.bridge.holds ? 1 : 0);
        metrics.invariantHolds.set({ check: "swap" }, invariant.swap.holds ? 1 : 0);
      },
      () => undefined,
    ),
  ]);
}
