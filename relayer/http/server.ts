// The node's HTTP face: /health (readiness of Redis and of each chain's watcher), /metrics, and
// /v1/stuck (transfers parked because peers kept refusing them, or failing alone and tried again later,
// each with why: an operator's worklist).
import Fastify, { type FastifyInstance } from "fastify";
import type { RelayerMetrics } from "../metrics.ts";
import type { ValidatorSetHealth } from "../attest/validator-sets.ts";

export interface HealthReport {
  ok: boolean;
  redis: boolean;
  chains: Record<
    string,
    { ok: boolean; head: string | null; finalizedUpTo: string | null; lastTickAgeMs: number | null; error?: string; standby?: boolean }
  >;
  /** Each destination gateway's validator set as this node last read it, and whether this node is in it
   * (a node that is not neither proposes nor co-signs there). */
  validatorSets?: Record<string, ValidatorSetHealth>;
}

export interface NodeHttpOptions {
  metrics: RelayerMetrics;
  health(): Promise<HealthReport>;
  /** Refreshes gauges that are read on demand (e.g. transfers by status) before a scrape. */
  beforeScrape?(): Promise<void>;
  /** Stuck transfers: id → why. */
  stuck?(): Promise<Record<string, string>>;
}

export function buildNodeHttpServer(options: NodeHttpOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get("/health", async (_request, reply) => {
    const report = await options.health();
    return reply.code(report.ok ? 200 : 503).send(report);
  });
  app.get("/metrics", async (_request, reply) => {
    await options.beforeScrape?.();
    return reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  app.get("/v1/stuck", async () => {
    const stuck = (await options.stuck?.()) ?? {};
    return { stuck: Object.entries(stuck).map(([id, why]) => ({ id, why })) };
  });
  return app;
}
