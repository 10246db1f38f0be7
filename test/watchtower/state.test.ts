// The watchtower's state and resilience (watchtower/state.ts, config.ts, webhook.ts) on real chains: what
// it has read survives a restart, and the restarted watchtower catches up from where it stopped, raising
// what happened while it was down once and nothing twice; an RPC endpoint that fails and then answers
// costs a round, never a block; a pause left half-done is finished after a restart. Also: the
// configuration refuses what it cannot use, naming it, and the webhook retries without holding anything up.
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseEther } from "ethers";
import { pino } from "pino";
import { ConfigError } from "../../common/schema.ts";
import { TransferKind, addressToBytes32, sequenceToRef, transferId, type Transfer } from "../../common/transfer.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";
import { startFlakyRpc } from "../../testkit/flaky-rpc.ts";
import { until } from "../../testkit/wait.ts";
import { W_NAMES, account, bridgeFromBttc, deliver, startWatchWorld, type WatchWorld } from "../../testkit/watchtower-world.ts";
import { loadGuardian } from "../../watchtower/guardian.ts";
import { parseWatchtowerConfig } from "../../watchtower/config.ts";
import { Webhook } from "../../watchtower/webhook.ts";
import { startHttp } from "../../watchtower/http.ts";
import { Watchtower } from "../../watchtower/watchtower.ts";

const SHORT_RETRY = { attempts: 3, baseDelayMs: 20, maxDelayMs: 200 };
const silent = pino({ level: "silent" });

describe("watchtower state and resilience", { timeout: 240_000 }, () => {
  let world: WatchWorld;

  before(async () => {
    world = await startWatchWorld();
  });
  after(async () => world?.stop());

  const forgery = (seq: bigint, dst: bigint): Transfer => ({
    srcChainId: world.chains.bttc.chainId,
    srcGateway: addressToBytes32(world.chains.bttc.gateway.target as string),
    srcRef: sequenceToRef(seq),
    kind: TransferKind.Bridge,
    dstChainId: dst,
    recipient: account(13).address,
    amount: parseEther("9"),
  });

  it("survives a restart: cursors and transfers in flight are kept, and it catches up from where it stopped", async () => {
    const config = world.config();
    const first = new Watchtower({ config, log: silent, retry: SHORT_RETRY });
    // A transfer seen while the first process runs, delivered only after it stopped.
    const a = await bridgeFromBttc(world, "ethereum", account(7).address, parseEther("1"));
    await world.mine(3);
    const firstRound = await first.round();
    assert.equal(first.state.openTransfers().size, 1, "a is in flight");
    await first.stop();
    const saved = JSON.parse(readFileSync(join(config.stateDir, "state.json"), "utf8")) as { chains: Record<string, { next: string }> };
    for (const name of W_NAMES) assert.equal(saved.chains[name]!.next, (firstRound.finals.get(name)! + 1n).toString());
    assert.ok(!existsSync(join(config.stateDir, `state.json.${process.pid}.tmp`)), "no temporary file left");

    // While it is down: a delivered honestly, b sent and delivered, and a forgery on BSC.
    await deliver(world, "ethereum", [a]);
    const b = await bridgeFromBttc(world, "ethereum", account(8).address, parseEther("2"));
    await world.mine(3);
    await deliver(world, "ethereum", [b]);
    const forged = forgery(424_242n, CHAIN_IDS.bsc);
    await deliver(world, "bsc", [forged]);
    await world.mine(3);

    const second = new Watchtower({ config, log: silent, retry: SHORT_RETRY });
    for (const name of W_NAMES)
      assert.equal(second.state.next(name), firstRound.finals.get(name)! + 1n, `${name}: resumes where it stopped`);
    const round = await second.round();
    assert.equal(round.deliveriesChecked, 3, "a, b and the forgery, each once");
    const alarms = second.state.alarms.filter((x) => x.kind !== "INVARIANT_BROKEN");
    assert.deepEqual(
      alarms.map((x) => [x.kind, x.transferId]),
      [["UNKNOWN_SOURCE", transferId(forged).toLowerCase()]],
      "only the forgery; a (sent before the restart, delivered after) matched its kept source event",
    );
    assert.equal(second.state.openTransfers().size, 0);
    await second.stop();

    // A third start reads nothing new and raises nothing again.
    const third = new Watchtower({ config, log: silent, retry: SHORT_RETRY });
    const before = third.state.alarms.length;
    await third.round();
    assert.equal(third.state.alarms.length, before);
    assert.equal((await third.metrics.alarmsRecorded.get()).values[0]?.value, before, "recorded alarms are reported after a restart");
    await third.stop();
  });

  it("an RPC endpoint that fails, then answers: no cursor moves, other chains' forgeries are still alarmed, the next round reads every block", async () => {
    const flaky = await startFlakyRpc(world.chains.ethereum.node.url);
    try {
      const config = world.config();
      config.chains.find((c) => c.name === "ethereum")!.rpcUrl = flaky.url;
      const watchtower = new Watchtower({ config, log: silent, retry: SHORT_RETRY });
      await watchtower.round();
      const next = watchtower.state.next("ethereum");
      const bscNext = watchtower.state.next("bsc");
      const forged = forgery(515_151n, CHAIN_IDS.ethereum);
      await deliver(world, "ethereum", [forged]);
      const onBsc = forgery(616_161n, CHAIN_IDS.bsc);
      await deliver(world, "bsc", [onBsc]);
      await world.mine(3);

      flaky.set({ kind: "drop" });
      await assert.rejects(watchtower.round(), (error: { code?: string; retryable?: boolean }) => {
        assert.equal(error.code, "RPC_FAILED");
        assert.equal(error.retryable, true);
        return true;
      });
      assert.equal(watchtower.state.next("ethereum"), next, "the failed round moved no cursor");
      assert.equal(watchtower.state.next("bsc"), bscNext, "not even on the chains that answer");
      const forgedId = transferId(forged).toLowerCase();
      assert.equal(
        watchtower.state.alarms.find((a) => a.transferId === forgedId),
        undefined,
        "not read yet",
      );
      // Ethereum down does not blind the watchtower elsewhere: the forgery on BSC (sources on BTTC) is alarmed at once.
      const onBscId = transferId(onBsc).toLowerCase();
      assert.equal(watchtower.state.alarms.find((a) => a.transferId === onBscId)?.kind, "UNKNOWN_SOURCE");

      // Throttled for two requests (retried with the endpoint's Retry-After), then answering.
      flaky.set({ kind: "rateLimit", retryAfterSeconds: 0 }, { requests: 2 });
      const round = await watchtower.round();
      assert.ok(round.finals.get("ethereum")! >= next);
      assert.ok(watchtower.state.next("bsc") > bscNext, "the full round moved the cursors");
      assert.equal(watchtower.state.alarms.filter((a) => a.transferId === onBscId).length, 1, "the BSC forgery raised once");
      assert.equal(watchtower.state.alarms.find((a) => a.transferId === forgedId)?.kind, "UNKNOWN_SOURCE");
      assert.ok(((await watchtower.metrics.rpcErrors.get()).values.find((v) => v.labels.chain === "ethereum")?.value ?? 0) >= 3);
      await watchtower.stop();
    } finally {
      await flaky.close();
    }
  });

  it("GET /health says 503 until a round has completed, then 200 with the blocks checked; GET /metrics is Prometheus text", async () => {
    const watchtower = new Watchtower({ config: world.config(), log: silent, retry: SHORT_RETRY });
    const http = await startHttp(watchtower, "127.0.0.1", 0);
    try {
      const before = await fetch(`${http.url}/health`);
      assert.equal(before.status, 503);
      assert.equal(((await before.json()) as { status: string }).status, "stalled");
      const round = await watchtower.round();
      const after = await fetch(`${http.url}/health`);
      assert.equal(after.status, 200);
      const body = (await after.json()) as { status: string; checkedTo: Record<string, string>; mode: string };
      assert.equal(body.status, "ok");
      assert.equal(body.mode, "alert");
      for (const name of W_NAMES) assert.equal(body.checkedTo[name], round.finals.get(name)!.toString());
      const metrics = await (await fetch(`${http.url}/metrics`)).text();
      assert.match(metrics, new RegExp(`bttb_watchtower_checked_block\\{chain="bttc"\\} ${round.finals.get("bttc")}`));
      assert.equal((await fetch(`${http.url}/nowhere`)).status, 404);
    } finally {
      await http.close();
      await watchtower.stop();
    }
  });

  it("in pause mode, a pause left half-done is finished after a restart, and a gateway already paused is left alone", async () => {
    const config = world.config({ mode: "pause" });
    const guardian = account(16).connect(world.chains.bsc.provider);
    // BSC already paused by hand: the watchtower must not send a pause there (it would revert).
    await (await (world.chains.bsc.gateway.connect(guardian) as typeof world.chains.bsc.gateway).getFunction("pause")()).wait();
    const first = new Watchtower({ config, log: silent, retry: SHORT_RETRY });
    first.state.requestPause(new Date());
    first.state.markPaused("bttc", "0xsent-before-the-restart");
    await first.stop();
    // BTTC was marked but is not paused in truth here: only what is not marked is looked at again.
    const second = new Watchtower({ config, log: silent, retry: SHORT_RETRY });
    await second.start();
    try {
      await until(
        "ethereum and bsc handled",
        () => Promise.resolve(second.state.pause.paused.ethereum && second.state.pause.paused.bsc),
        20_000,
      );
      assert.equal(second.state.pause.paused.bsc, "already");
      assert.match(second.state.pause.paused.ethereum!, /^0x[0-9a-f]{64}$/);
      assert.equal(
        await world.chains.ethereum.gateway
          .getFunction("status")()
          .then((s: { paused: boolean }) => s.paused),
        true,
      );
    } finally {
      await second.stop();
    }
  });
});

describe("watchtower configuration", () => {
  const base = {
    mode: "alert",
    chains: [
      { name: "bttc", chainId: "1", rpcUrl: "http://127.0.0.1:1", gateway: "0x" + "11".repeat(20), kind: "bttc" },
      { name: "ethereum", chainId: "2", rpcUrl: "http://127.0.0.1:2", gateway: "0x" + "22".repeat(20), kind: "remote" },
    ],
    http: { port: 0 },
    stateDir: "/tmp/x",
  };

  it("refuses unknown keys, a pause mode without the guardian key and two BTTC chains, naming each", () => {
    const fails = (raw: unknown, pattern: RegExp) =>
      assert.throws(
        () => parseWatchtowerConfig(raw),
        (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
      );
    fails({ ...base, extra: 1 }, /\(root\): Unrecognized key: "extra"/);
    fails({ ...base, mode: "pause" }, /guardianKey: pause mode needs the guardian key/);
    fails({ ...base, mode: "panic" }, /mode:/);
    fails({ ...base, chains: base.chains.map((c) => ({ ...c, kind: "bttc" })) }, /chains: exactly one chain of kind "bttc", got 2/);
    fails({ ...base, chains: [base.chains[0], { ...base.chains[1], gateway: "0x12" }] }, /chains\.1\.gateway/);
    assert.equal(parseWatchtowerConfig(base).pollIntervalMs, 1_000);
  });

  it("refuses a guardian key file others can read, and a key that is not one, without quoting it", () => {
    const dir = "/tmp";
    const file = join(dir, `bttb-guardian-${process.pid}.key`);
    writeFileSync(file, "0x" + "ab".repeat(32) + "\n", { mode: 0o644 });
    chmodSync(file, 0o644);
    assert.throws(() => loadGuardian(file), /readable by others \(mode 644\): chmod 600 it/);
    chmodSync(file, 0o600);
    assert.match(loadGuardian(file).address, /^0x[0-9a-fA-F]{40}$/);
    writeFileSync(file, "not-a-key-secret\n");
    assert.throws(
      () => loadGuardian(file),
      (error: Error) => /not a valid secp256k1 private key/.test(error.message) && !error.message.includes("not-a-key-secret"),
    );
  });
});

describe("watchtower webhook", () => {
  it("retries a failing endpoint in the background until it takes the alarm", async () => {
    let calls = 0;
    const bodies: unknown[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        calls++;
        if (calls <= 2) return void response.writeHead(503).end();
        bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    let failures = 0;
    const webhook = new Webhook(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, silent, {
      baseDelayMs: 10,
      onFailure: () => failures++,
    });
    const started = Date.now();
    webhook.send({ alarm: { kind: "UNKNOWN_SOURCE" } });
    assert.ok(Date.now() - started < 50, "send returns at once");
    await webhook.idle();
    assert.deepEqual(bodies, [{ alarm: { kind: "UNKNOWN_SOURCE" } }]);
    assert.equal(failures, 2);
    webhook.close();
    await new Promise((resolve) => server.close(resolve));
  });
});
