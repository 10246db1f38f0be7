// Prometheus metrics of the API (GET /metrics): requests by route and status, and their latency. One
// registry per API instance, so that several in one process (tests) do not share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class ApiMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: "bttb_api_requests_total",
    help: "HTTP requests answered, by route and status code",
    labelNames: ["route", "status"] as const,
    registers: [this.registry],
  });

  readonly latency = new Histogram({
    name: "bttb_api_request_seconds",
    help: "Time to answer an HTTP request, by route",
    labelNames: ["route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly eventStreams = new Gauge({
    name: "bttb_api_event_streams",
    help: "Server-sent event streams open now",
    registers: [this.registry],
  });

  readonly relayersHealthy = new Gauge({
    name: "bttb_api_relayers_healthy",
    help: "Relayer nodes whose /health answered healthy at the last scrape",
    registers: [this.registry],
  });

  readonly relayerThreshold = new Gauge({
    name: "bttb_api_relayer_threshold",
    help: "Signatures a delivery needs (healthy relayer nodes below it: no delivery can be signed)",
    registers: [this.registry],
  });

  readonly invariantHolds = new Gauge({
    name: "bttb_invariant_holds",
    help: "Whether the accounting invariant holds at the chains' final blocks, by check (bridge, swap): 1 holds, 0 broken",
    labelNames: ["check"] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
