// The watchtower's Prometheus metrics (GET /metrics). One registry per watchtower, so that tests running
// several in one process do not share counters. ops/prometheus/alerts.yml alerts on them.
import { Counter, Gauge, Registry } from "prom-client";
import { ALARM_KINDS } from "./matcher.ts";

export class WatchtowerMetrics {
  readonly registry = new Registry();

  readonly up = new Gauge({ name: "bttb_watchtower_up", help: "1 while the watchtower runs its rounds", registers: [this.registry] });

  readonly checkedBlock = new Gauge({
    name: "bttb_watchtower_checked_block",
    help: "Highest final block whose deliveries and outbound events the watchtower has checked, by chain",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  readonly alarms = new Counter({
    name: "bttb_watchtower_alarms_total",
    help: "Alarms raised since this process started, by kind",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  readonly alarmsRecorded = new Gauge({
    name: "bttb_watchtower_alarms_recorded",
    help: "Alarms in the watchtower's state (kept across restarts until an operator clears them)",
    registers: [this.registry],
  });

  readonly paused = new Gauge({
    name: "bttb_watchtower_paused",
    help: "1 for a gateway the watchtower has seen paused after calling for a pause, by chain",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  readonly deliveriesChecked = new Counter({
    name: "bttb_watchtower_deliveries_checked_total",
    help: "Delivered transfers checked against their source, by destination chain",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  readonly invariantHolds = new Gauge({
    name: "bttb_watchtower_invariant_holds",
    help: "1 when the accounting invariant held at the last round's final blocks, 0 when not",
    registers: [this.registry],
  });

  readonly rpcErrors = new Counter({
    name: "bttb_watchtower_rpc_errors_total",
    help: "Failed chain reads (each retry counts), by chain",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  readonly webhookFailures = new Counter({
    name: "bttb_watchtower_webhook_failures_total",
    help: "Webhook POSTs that failed (each try counts)",
    registers: [this.registry],
  });

  constructor() {
    for (const kind of ALARM_KINDS) this.alarms.labels(kind).inc(0);
  }
}
