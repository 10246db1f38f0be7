// The alert rules and the dashboard (ops/) read only metrics the project exports, and cover what an
// operator must act on. `promtool check rules` checks the rules' syntax in CI (.ci/run).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ApiMetrics } from "../../api/metrics.ts";
import { RelayerMetrics } from "../../relayer/metrics.ts";
import { WatchtowerMetrics } from "../../watchtower/metrics.ts";

const rules = readFileSync(new URL("../../ops/prometheus/alerts.yml", import.meta.url), "utf8");
const dashboard = JSON.parse(readFileSync(new URL("../../ops/grafana/bttb-dashboard.json", import.meta.url), "utf8")) as {
  panels: { title: string; targets: { expr: string }[] }[];
};

/** Every metric the relayer, the API and the watchtower register (a histogram also as its _bucket, _sum and _count series). */
async function exported(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const registry of [new RelayerMetrics().registry, new ApiMetrics().registry, new WatchtowerMetrics().registry]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(metric.name + suffix);
    }
  }
  return names;
}

const metricsIn = (text: string) => [...new Set(text.match(/\bbttb_[a-z0-9_]+/g) ?? [])];

describe("alert rules and dashboard", () => {
  it("name only metrics the relayer, the API or the watchtower exports", async () => {
    const known = await exported();
    const used = [...metricsIn(rules), ...dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsIn(t.expr)))];
    assert.ok(used.length > 10, "the rules and panels read the project's metrics");
    for (const name of ["bttb_watchtower_alarms_total", "bttb_watchtower_up", "bttb_watchtower_paused"]) {
      assert.ok(
        dashboard.panels.some((p) => p.targets.some((t) => t.expr.includes(name))),
        `a dashboard panel shows ${name}`,
      );
    }
    assert.deepEqual(
      used.filter((name) => !known.has(name)),
      [],
      "every metric named is exported",
    );
  });

  it("alert on quorum, the invariant, chains, stuck transfers, dead letters, payer balances and the watchtower", () => {
    const alerts = [...rules.matchAll(/- alert: (\w+)\n\s+(?:#[^\n]*\n\s+)*expr: ([^\n]+)/g)].map((m) => ({ name: m[1]!, expr: m[2]! }));
    const metricOf = (name: string) => alerts.find((a) => a.name === name)?.expr ?? "";
    assert.match(metricOf("BttbRelayerQuorumLost"), /bttb_api_relayers_healthy < bttb_api_relayer_threshold/);
    assert.match(metricOf("BttbInvariantBroken"), /bttb_invariant_holds == 0/);
    assert.match(metricOf("BttbChainStalled"), /bttb_chain_final_scanned_block/);
    assert.match(metricOf("BttbChainLagging"), /bttb_chain_lag_blocks/);
    assert.match(metricOf("BttbTransfersStuck"), /bttb_transfers_stuck > 0/);
    assert.match(metricOf("BttbDeadLetters"), /bttb_dead_letters > 0/);
    assert.match(metricOf("BttbPayerBalanceLow"), /bttb_payer_balance_wei </);
    assert.match(metricOf("BttbWatchtowerAlarm"), /bttb_watchtower_alarms_recorded > 0/);
    assert.match(metricOf("BttbWatchtowerAlarm"), /increase\(bttb_watchtower_alarms_total\[/);
    assert.match(metricOf("BttbWatchtowerDown"), /absent\(bttb_watchtower_up\)/);
    assert.match(metricOf("BttbWatchtowerDown"), /bttb_watchtower_checked_block/);
  });
});
