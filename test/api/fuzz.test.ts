// Thousands of generated malformed or hostile requests against the API on real chains and Redis: wrong
// types, huge numbers, unicode, injection strings, truncated JSON, deep nesting, odd methods and media
// types. None may get a 5xx; every error has the one error shape; the server keeps answering.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { Redis } from "ioredis";
import type { App } from "../../api/context.ts";
import { buildApi } from "../../api/server.ts";
import { startApiWorld, type ApiWorld } from "../../testkit/api-world.ts";
import { testRedisUrl } from "../../testkit/redis.ts";

const HOSTILE = [
  "' OR 1=1 --",
  '"; DROP TABLE transfers; --',
  "<script>alert(1)</script>",
  "${jndi:ldap://x/a}",
  "../../../etc/passwd",
  "%00",
  "\u0000",
  "\u202e",
  "𝕭𝕿𝕿",
  "ﷺ",
  "🙂".repeat(50),
  "\ud800",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e400",
  "0x",
  "0x" + "f".repeat(80),
  "9".repeat(400),
  "-1",
  "1.0",
  "1,000",
  " 1",
  "1 ",
  "+1",
  "0b101",
  "0o17",
  "１２３",
  "null",
  "true",
  "[]",
  "{}",
  "*",
  "\\",
  "%",
  "?",
  "#",
  "&",
  "=",
  "a".repeat(5000),
];
const VALID = [
  "bttc",
  "ethereum",
  "bsc",
  "tron",
  "bridge",
  "swap",
  "1000000000000000000",
  "1",
  "5000",
  "2500000",
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "TPL66VK2gCXNCD7EJg9pgJRfqcRazjhUZY",
  `0x${"ab".repeat(32)}`,
  (1n << 256n).toString(),
  ((1n << 256n) - 1n).toString(),
];
const PATHS = [
  "/v1/chains",
  "/v1/quote",
  "/v1/swaps",
  "/v1/bridge",
  "/v1/broadcast",
  "/v1/transfers",
  `/v1/transfers/0x${"ab".repeat(32)}`,
  `/v1/transfers/0x${"ab".repeat(32)}/events`,
  `/v1/transfers/0x${"ab".repeat(32)}/delivery`,
  "/v1/claims/0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "/v1/claims/",
  "/v1/stats",
  "/health",
  "/metrics",
  "/docs/json",
  "/v1",
  "/",
  "/v1/transfers/",
];
const KEYS = [
  "kind",
  "from",
  "to",
  "amount",
  "sender",
  "recipient",
  "chain",
  "signedTransaction",
  "address",
  "srcTx",
  "cursor",
  "limit",
  "__proto__",
  "constructor",
];

const text = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.constantFrom(...VALID),
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.bigInt().map((b) => Number(b)),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 4 }),
);
const body = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), text), value, { maxKeys: 7 });

/** Percent-encodes any string; lone surrogates become U+FFFD (encodeURIComponent refuses them). */
function enc(text: string): string {
  return encodeURIComponent(Buffer.from(text, "utf8").toString("utf8"));
}

/** Raw URLs a client may send that no encoder makes: bad escapes, invalid UTF-8, odd separators. */
const RAW_URLS = [
  "/v1/transfers/%ff%fe",
  "/v1/quote?amount=%",
  "/v1/quote?%%%",
  "/v1/quote?kind=bridge&kind=swap&from=bttc&to=ethereum&amount=1",
  "/v1/quote?amount[]=1&amount[]=2",
  "/v1/quote?amount[a]=1",
  "/v1/transfers?address=0x70997970C51812dc3A010C7d01b50e0d17dc79C8&address=0x1",
  "//v1//chains",
  "/v1/chains/../stats",
  "/v1/transfers/%2e%2e%2f",
  "/v1/quote?kind=swap&from=tron&amount=" + "1".repeat(70),
];

function deep(open: string, close: string, depth: number): string {
  return open.repeat(depth) + close.repeat(depth);
}

const rawBody = fc.oneof(
  body.map((b) => JSON.stringify(b)),
  body.chain((b) => fc.nat().map((n) => JSON.stringify(b).slice(0, n % (JSON.stringify(b).length + 1)))), // truncated
  fc.integer({ min: 1, max: 50_000 }).map((d) => deep("[", "]", d)),
  fc.integer({ min: 1, max: 20_000 }).map((d) => deep('{"a":', "}", d).replace('{"a":}', '{"a":1}')),
  fc.integer({ min: 1, max: 20_000 }).map((d) => `{"amount":${deep("[", "]", d)},"from":"bttc"}`),
  fc.constantFrom(
    "",
    "null",
    "[]",
    '""',
    "{",
    "}",
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{}}}',
    "\u0000",
    '{"amount":1e999999}',
  ),
  fc.string({ unit: "binary" }),
);

const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), text), text), { maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join("&"));

const request = fc.record({
  method: fc.constantFrom("GET", "POST", "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
  path: fc.oneof(
    fc.constantFrom(...PATHS),
    text.map((t) => `/v1/transfers/${enc(t)}`),
    text.map((t) => `/v1/transfers/${enc(t)}/delivery`),
    text.map((t) => `/v1/claims/${enc(t)}`),
    text.map((t) => `/${enc(t)}`),
    fc.constantFrom(...RAW_URLS),
  ),
  query,
  body: rawBody,
  contentType: fc.constantFrom(
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/json; charset=latin1",
    "",
  ),
});

describe("hostile input", { timeout: 600_000 }, () => {
  let world: ApiWorld;
  let app: App;
  let redis: Redis;
  const statuses = new Map<number, number>();

  before(async () => {
    world = await startApiWorld("api-fuzz", { rateLimit: { max: 1_000_000, timeWindow: 60_000 }, chainCacheMs: 5_000 });
    redis = new Redis(testRedisUrl());
    app = await buildApi(world.config, { redis });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    redis?.disconnect();
    await world?.stop();
  });

  async function check(r: { method: string; path: string; query: string; body: string; contentType: string }): Promise<void> {
    const url = r.query ? `${r.path}?${r.query}` : r.path;
    const hasBody = !["GET", "HEAD", "OPTIONS"].includes(r.method);
    // Event streams stay open: a stream for a transfer that exists is not hostile input.
    if (/\/events$/.test(r.path.split("?")[0]!) && r.method === "GET") return;
    const res = await app.inject({
      method: r.method as "GET",
      url,
      ...(hasBody ? { payload: r.body, headers: r.contentType ? { "content-type": r.contentType } : {} } : {}),
    });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    assert.ok(
      res.statusCode < 500,
      `${r.method} ${url.slice(0, 300)} body ${r.body.slice(0, 300)} -> ${res.statusCode} ${res.body.slice(0, 500)}`,
    );
    if (res.statusCode >= 400 && r.method !== "HEAD") {
      const parsed = res.json<{ error?: { code?: unknown; message?: unknown } }>();
      assert.equal(typeof parsed.error?.code, "string", res.body.slice(0, 300));
      assert.equal(typeof parsed.error?.message, "string", res.body.slice(0, 300));
    }
  }

  it("answers thousands of generated requests without a 5xx, each error in the one shape", async () => {
    await fc.assert(fc.asyncProperty(request, check), { numRuns: 3_000 });
  });

  it("answers generated bodies on every POST route with valid fields mixed in", async () => {
    const posts = fc.record({
      method: fc.constant("POST"),
      path: fc.constantFrom("/v1/swaps", "/v1/bridge", "/v1/broadcast"),
      query: fc.constant(""),
      body: body.map((b) => JSON.stringify(b)),
      contentType: fc.constant("application/json"),
    });
    await fc.assert(fc.asyncProperty(posts, check), { numRuns: 2_000 });
  });

  it("still serves after all of it", async (t) => {
    t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    const chains = await app.inject({ method: "GET", url: "/v1/chains" });
    assert.equal(chains.statusCode, 200);
    const quote = await app.inject({ method: "GET", url: "/v1/quote?kind=swap&from=bsc&amount=7" });
    assert.equal(quote.statusCode, 200);
    assert.equal(quote.json<{ amountOut: string }>().amountOut, (7n * 10n ** 15n).toString());
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    assert.ok(total >= 4_000, `${total} requests answered`);
    assert.ok(![...statuses.keys()].some((s) => s >= 500), JSON.stringify(Object.fromEntries(statuses)));
  });
});
