// GET /metrics on the API exports what the alert rules read (ops/prometheus/alerts.yml), computed at the
// scrape: the relayer quorum (healthy nodes against the threshold) and the accounting invariant.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { buildApi } from "../../api/server.ts";
import { startApiWorld, type ApiWorld } from "../../testkit/api-world.ts";
import { testRedisUrl } from "../../testkit/redis.ts";

describe("API metrics for alerts", { timeout: 180_000 }, () => {
  let world: ApiWorld;
  let redis: Redis;

  before(async () => {
    world = await startApiWorld("api-metrics");
    redis = new Redis(testRedisUrl());
  });

  after(async () => {
    redis?.disconnect();
    await world?.stop();
  });

  async function scrape(config: ApiWorld["config"]): Promise<string> {
    const app = await buildApi(config, { redis });
    try {
      const res = await app.inject({ method: "GET", url: "/metrics" });
      assert.equal(res.statusCode, 200);
      return res.body;
    } finally {
      await app.close();
    }
  }

  it("reports that the invariant holds on a bridge at rest, for both checks", async () => {
    const text = await scrape(world.config);
    assert.match(text, /^bttb_invariant_holds\{check="bridge"\} 1$/m);
    assert.match(text, /^bttb_invariant_holds\{check="swap"\} 1$/m);
  });

  it("reports relayer nodes that do not answer as unhealthy, against the threshold", async () => {
    const relayers = [
      { id: "n1", url: "http://127.0.0.1:9" }, // nothing listens on the discard port
      { id: "n2", url: "http://127.0.0.1:9" },
    ];
    const text = await scrape({ ...world.config, relayers, relayerThreshold: 2, requestTimeoutMs: 500 });
    assert.match(text, /^bttb_api_relayers_healthy 0$/m);
    assert.match(text, /^bttb_api_relayer_threshold 2$/m);
  });
});
