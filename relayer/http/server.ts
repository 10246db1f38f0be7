// The node's HTTP face: /health (readiness of Redis and of each chain's watcher) and /metrics.
import Fastify, { type FastifyInstance } from "fastify";
import type { RelayerMetrics } from "../metrics.ts";

export interface HealthReport {
  ok: boolean;
  redis: boolean;
  chains: Record<string, { ok: boolean; head: string | null; finalizedUpTo: string | null; lastTickAgeMs: number | null; error?: string; standby?: boolean }>;
}

export interface NodeHttpOptions {
  metrics: RelayerMetrics;
  health(): Promise<HealthReport>;
  /** Refreshes gauges that are read on demand (e.g. transfers by status) before a scrape. */
  beforeScrape?(): Promise<void>;
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
  return app;
}
