// The pure parts of the merged status: the daily limit's token bucket (when a delayed transfer fits),
// what a finalized transfer waits for, and the LRU that bounds what the API remembers of the chains.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEther } from "ethers";
import { Lru } from "../../api/deliveries/lru.ts";
import type { StatusFacts } from "../../api/status/facts.ts";
import { dailyLimitUntil, waitingOf } from "../../api/status/waiting.ts";

describe("dailyLimitUntil", () => {
  const now = 1_700_000_000_000;
  const cap = parseEther("86400"); // refills 1 BTT a second

  it("is null when the amount fits now, or there is no limit", () => {
    assert.equal(dailyLimitUntil(parseEther("5"), cap, parseEther("5"), now), null);
    assert.equal(dailyLimitUntil(parseEther("5"), (1n << 256n) - 1n, 0n, now), null);
  });

  it("counts the missing units at cap per 86,400 s, rounded up to the second", () => {
    assert.deepEqual(dailyLimitUntil(parseEther("10"), cap, parseEther("4"), now), { at: now + 6_000, overCap: false });
    // One wei over a whole unit costs a whole unit (the gateway rounds a payout up): 10^-9 BTT at 1 BTT/s.
    assert.deepEqual(dailyLimitUntil(parseEther("4") + 1n, cap, parseEther("4"), now), { at: now + 1_000, overCap: false });
  });

  it("says over the cap, with no time, for an amount the whole cap does not hold", () => {
    assert.deepEqual(dailyLimitUntil(cap + 10n ** 9n, cap, cap, now), { at: null, overCap: true });
  });
});

describe("Lru", () => {
  it("keeps at most its size, forgetting the least recently used first", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    assert.equal(lru.get("a"), 1); // a is now the most recent
    lru.set("c", 3);
    assert.equal(lru.size, 2);
    assert.equal(lru.get("b"), undefined);
    assert.equal(lru.get("a"), 1);
    assert.equal(lru.get("c"), 3);
    assert.throws(() => new Lru(0), RangeError);
  });
});

describe("waitingOf a finalized transfer", () => {
  const facts = (deliverable: boolean): StatusFacts => ({
    delivery: null,
    stored: null,
    storedBatch: null,
    threshold: 2,
    validators: null,
    stuck: null,
    dailyLimit: null,
    reserve: null,
    claimable: null,
    deliverable,
    tokens: null,
  });
  const context = { amount: 1n, destination: "bsc", rejection: null, lastDetail: null, now: 0 };

  it("waits for signatures while none are held", () => {
    const waiting = waitingOf("finalized", facts(false), context);
    assert.equal(waiting?.reason, "attestation");
    assert.deepEqual(waiting?.actions, []);
  });

  it("says the signatures are held, and offers to deliver it, once a threshold of the current set signed", () => {
    // A delivery tried and refused (e.g. a peer's delivery still pending) sends the record back to
    // finalized with its signatures kept: the user must not read "collecting signatures" then.
    const waiting = waitingOf("finalized", facts(true), context);
    assert.equal(waiting?.reason, "delivery");
    assert.match(waiting.message, /signed by a threshold of validators/);
    assert.deepEqual(waiting?.actions, ["deliver_yourself"]);
  });
});
