// Prometheus metrics of a relayer node (GET /metrics). One registry per node, so that several nodes in
// one process (tests) do not share counters.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TransferRecord } from "./store/transfer-store.ts";

export class RelayerMetrics {
  readonly registry = new Registry();

  readonly transfersByStatus = new Gauge({
    name: "bttb_transfers",
    help: "Transfers this node knows, by status",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });

  readonly transfersStuck = new Gauge({
    name: "bttb_transfers_stuck",
    help: "Transfers in the stuck list (GET /v1/stuck): parked after peers refused them too often, or failing alone and tried again later",
    registers: [this.registry],
  });

  readonly chainHead = new Gauge({
    name: "bttb_chain_head_block",
    help: "Latest block seen at a chain's head",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  readonly chainFinalizedScanned = new Gauge({
    name: "bttb_chain_final_scanned_block",
    help: "Highest final block this node has read",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  readonly chainLagBlocks = new Gauge({
    name: "bttb_chain_lag_blocks",
    help: "Blocks between a chain's head and the highest final block this node has read",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  readonly rpcErrors = new Counter({
    name: "bttb_rpc_errors_total",
    help: "Failed chain reads, by chain and whether they were retried",
    labelNames: ["chain", "retryable"] as const,
    registers: [this.registry],
  });

  readonly stageLatency = new Histogram({
    name: "bttb_stage_latency_seconds",
    help: "Time from one lifecycle status to the next, by stage",
    labelNames: ["stage"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly signerBalance = new Gauge({
    name: "bttb_payer_balance_wei",
    help: "Balance of the key that pays for delivery transactions, by chain (wei, as a float for Prometheus)",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  readonly deadLetters = new Gauge({
    name: "bttb_dead_letters",
    help: "Jobs that failed for good (the dead-letter view), by queue: an operator must look",
    labelNames: ["queue"] as const,
    registers: [this.registry],
  });

  readonly validatorMember = new Gauge({
    name: "bttb_validator_member",
    help: "Whether this node's attestation key is in a destination gateway's current validator set (1) or not (0): a node out of the set neither proposes nor co-signs there",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  readonly validatorEpoch = new Gauge({
    name: "bttb_validator_epoch",
    help: "The validator-set epoch of each destination gateway, as this node last read it",
    labelNames: ["chain"] as const,
    registers: [this.registry],
  });

  /** Per-stage latency of a completed transfer, from its timeline. */
  observeStages(record: TransferRecord): void {
    const at = (status: string) => record.timeline.findLast((e) => e.status === status)?.at;
    const stages: [string, string, string][] = [
      ["attest", "finalized", "attested"],
      ["submit", "attested", "submitted"],
      ["confirm", "submitted", "completed"],
      ["total", "finalized", "completed"],
    ];
    for (const [stage, from, to] of stages) {
      const start = at(from);
      const end = at(to);
      if (start !== undefined && end !== undefined && end >= start) this.stageLatency.observe({ stage }, (end - start) / 1000);
    }
  }
}
