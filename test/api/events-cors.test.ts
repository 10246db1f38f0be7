// A web page on another origin reads a transfer's event stream: the stream's response carries the CORS
// headers of the configured origins (the route takes the response over, and must not drop them), and
// none for an origin not configured.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { buildApi } from "../../api/server.ts";
import type { App } from "../../api/context.ts";
import { TransferStore } from "../../relayer/store/transfer-store.ts";
import { startApiWorld, type ApiWorld } from "../../testkit/api-world.ts";
import { testRedisUrl } from "../../testkit/redis.ts";
import { observedTransfer } from "../../testkit/transfer-records.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

const PAGE = "http://127.0.0.1:3000";

describe("HTTP API: event streams across origins", { timeout: 180_000 }, () => {
  let world: ApiWorld;
  let app: App;
  let redis: Redis;
  let address: string;
  let id: string;

  before(async () => {
    world = await startApiWorld("api-events-cors");
    redis = new Redis(testRedisUrl());
    app = await buildApi({ ...world.config, corsOrigins: [PAGE] }, { redis });
    address = await app.listen({ port: 0, host: "127.0.0.1" });
    const o = observedTransfer({
      srcChainId: CHAIN_IDS.ethereum,
      srcGateway: world.chains.ethereum.gateway.target as string,
      dstChainId: CHAIN_IDS.bttc,
      sequence: 7n,
    });
    await new TransferStore(redis, world.keyPrefix).observe(o, "pending");
    id = o.id;
  });

  after(async () => {
    await app?.close();
    redis?.disconnect();
    await world?.stop();
  });

  async function open(origin: string): Promise<{ allowed: string | null; type: string | null; first: string }> {
    const controller = new AbortController();
    const res = await fetch(`${address}/v1/transfers/${id}/events`, { headers: { origin }, signal: controller.signal });
    const reader = res.body!.getReader();
    let first = "";
    while (!/event: transfer\n/.test(first)) {
      const { value, done } = await reader.read();
      if (done) break;
      first += Buffer.from(value).toString("utf8");
    }
    controller.abort();
    return { allowed: res.headers.get("access-control-allow-origin"), type: res.headers.get("content-type"), first };
  }

  it("lets the configured page's origin read the stream", async () => {
    const { allowed, type, first } = await open(PAGE);
    assert.equal(allowed, PAGE);
    assert.equal(type, "text/event-stream; charset=utf-8");
    assert.match(first, new RegExp(`"id":"${id}"`));
  });

  it("gives another origin no CORS header", async () => {
    const { allowed } = await open("http://evil.example");
    assert.equal(allowed, null);
  });
});
