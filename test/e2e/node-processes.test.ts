// One relayer node run as several processes on one Redis (issue 3), against three real `hardhat node`
// chains, with two ordinary peers (threshold 2), transfers on two routes (BTTC→Ethereum, BTTC→BSC). The
// split node is the designated deliverer of BTTC→Ethereum and runs as: watch+http, deliver, deliver, and a second watch process
// standing by. A stream of transfers on both routes is delivered exactly once (balances, supply, the
// gateways' TransfersDelivered events, every store), with no nonce resync or replacement storm, while one
// deliver process is SIGKILLed mid-stream; then the watch+http process is SIGKILLed, the standby takes
// over the watch leases, and what follows is delivered exactly once too. SIGTERM then stops each cleanly.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { NonceManager, Wallet, parseEther, type Contract } from "ethers";
import type { TransferStatus } from "../../relayer/store/transfer-store.ts";
import {
  ProcessDir,
  devAccount,
  sleep,
  startCluster,
  until,
  type Cluster,
  type NodeProcess,
  type NodeSpec,
} from "../../testkit/relayer-cluster.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

/** The chains each node watches. */
const WATCHED = ["bttc", "ethereum", "bsc"] as const;
const DESTINATIONS = ["ethereum", "bsc"] as const;
const LEASE_MS = 1_500;

interface Sent {
  id: string;
  to: (typeof DESTINATIONS)[number];
  recipient: string;
  amount: bigint;
}

describe("one relayer node as several processes on one Redis", () => {
  let cluster: Cluster;
  const processes = new ProcessDir();
  let startBlocks: Record<string, bigint> = {};
  const supplyBefore = new Map<string, bigint>();

  before(async () => {
    cluster = await startCluster({
      label: "processes",
      chains: [
        { name: "bttc", chainId: CHAIN_IDS.bttc, role: "bttc" },
        { name: "ethereum", chainId: CHAIN_IDS.ethereum, role: "remote" },
        { name: "bsc", chainId: CHAIN_IDS.bsc, role: "remote" },
      ],
      validatorCount: 3,
      threshold: 2,
      mineEveryMs: 200,
    });
  });

  after(async () => {
    await processes.remove();
    await cluster?.stop();
  });

  it("delivers a stream on two routes exactly once through a SIGKILLed deliver process and a SIGKILLed watcher", async (t) => {
    startBlocks = await cluster.blockNumbers();
    const specs = await cluster.nodeSpecs("split", ["n1", "n2", "n3"]);
    // The split node is the designated deliverer of BTTC→Ethereum (and of BTTC→BSC too, if the routes' order says so).
    const split = cluster.designated("bttc", "ethereum", specs)[0]!;
    const peers = specs.filter((s) => s !== split);
    const options = { startBlocks };
    const splitConfig = { ...cluster.nodeConfig(split, specs, options), watchLeaseMs: LEASE_MS };
    // The peers fall back late: the split node is meant to do the delivering, whatever befalls its processes.
    // (Later than the 10 s a killed deliver process's route lock outlives it, so the split node's other
    // deliver process, not a peer, takes its work over.)
    const peerDelivery = { fallbackMs: 20_000, confirmPollMs: 100, retryLaterMs: 1_000, peerTimeoutMs: 2_000 };
    for (const dst of DESTINATIONS) supplyBefore.set(dst, await gateway(dst).getFunction("totalSupply")());
    const user = new NonceManager(devAccount(10).connect(cluster.chain("bttc").provider));
    const sent: Sent[] = [];

    const watcher = await processes.spawn(cluster, split, splitConfig, 30_000, { label: "watch-http", roles: ["watch", "http"] });
    await until(
      "the watch+http process to hold every chain's lease",
      async () => (await leaseOwners()).every((pid) => pid === watcher.child.pid),
      10_000,
    );
    const standby = await processes.spawn(cluster, split, splitConfig, 30_000, { label: "watch-standby", roles: ["watch"] });
    const [deliverA, deliverB] = await Promise.all(
      ["deliver-a", "deliver-b"].map((label) => processes.spawn(cluster, split, splitConfig, 30_000, { label, roles: ["deliver"] })),
    );
    await Promise.all(peers.map((p) => processes.spawn(cluster, p, { ...cluster.nodeConfig(p, specs, options), delivery: peerDelivery })));

    try {
      // Stream 1: 24 transfers alternating between the routes; one deliver process SIGKILLed in the middle.
      let killed = false;
      for (let i = 0; i < 24; i++) {
        sent.push(await send(user, DESTINATIONS[i % 2]!, sent.length));
        // Killed mid-stream, once it has sent deliveries of its own (BullMQ spreads the jobs over both).
        if (i >= 9 && !killed && sentBy(deliverA!) > 0) {
          await deliverA!.kill();
          killed = true;
          t.diagnostic(`deliver-a SIGKILLed after ${i + 1} transfers and ${sentBy(deliverA!)} delivery transactions of its own`);
        }
        await sleep(100);
      }
      assert.ok(killed, "deliver-a sent deliveries and was killed mid-stream");
      assert.ok(
        (await leaseOwners()).every((pid) => pid === watcher.child.pid),
        "the holder kept every lease",
      );
      assert.ok(
        !readFileSync(standby.logFile, "utf8").includes("watching (lease taken)"),
        "the standby did not watch while the holder lived",
      );
      await allCompleted(sent, specs, 60_000);
      await assertExactlyOnce(sent, specs);
      // What deliver-a left (once its route lock expired) was delivered by deliver-b.
      assert.ok(sentBy(deliverB!) > 0, "deliver-b sent deliveries too");

      // The watch+http process SIGKILLed: the standby takes over every chain within the lease's lifetime.
      const killedAt = Date.now();
      await watcher.kill();
      await until(
        "the standby to take over every lease",
        async () => (await leaseOwners()).every((pid) => pid === standby.child.pid),
        LEASE_MS * 4,
      );
      t.diagnostic(`leases taken over ${Date.now() - killedAt} ms after the SIGKILL`);
      assert.ok(readFileSync(standby.logFile, "utf8").includes("watching (lease taken)"), "the standby watches now");
      for (let i = 0; i < 6; i++) {
        sent.push(await send(user, DESTINATIONS[i % 2]!, sent.length));
        await sleep(100);
      }
      await allCompleted(sent, specs, 60_000);
      await assertExactlyOnce(sent, specs);

      // The split node's payer delivered on its route, without a nonce resync or replacement storm.
      const payer = devAccount(1 + split.index).address;
      const froms = await deliverySenders("ethereum", startBlocks.ethereum! + 1n);
      assert.ok(froms.includes(payer), `the split node delivered on ethereum (senders: ${[...new Set(froms)].join(", ")})`);
      const splitLogs = [watcher, standby, deliverA!, deliverB!].map((p) => readFileSync(p.logFile, "utf8")).join("\n");
      const count = (msg: string) => splitLogs.split("\n").filter((line) => line.includes(`"msg":"${msg}"`)).length;
      assert.equal(count("payer replaced a transaction"), 0, "no replacements");
      assert.ok(
        count("payer nonce resynced") <= 2,
        `at most a resync or two after the kill, not a storm (${count("payer nonce resynced")})`,
      );

      // SIGTERM: each process of the node stops cleanly; the watcher gives its leases up at once.
      for (const p of [standby, deliverB!]) {
        await p.stop();
        assert.equal(await p.exited, 0, `${p.name} exits cleanly on SIGTERM`);
        assert.match(readFileSync(p.logFile, "utf8"), /"msg":"relayer node stopped"/);
      }
      assert.deepEqual(
        await leaseOwners(),
        WATCHED.map(() => undefined),
        "no lease left after a clean stop",
      );
    } catch (error) {
      if (error instanceof Error) {
        for (const p of processes.running()) error.message += `\n--- ${p.name} (last lines) ---\n${p.tail(12)}`;
      }
      throw error;
    } finally {
      await Promise.all(processes.running().map((p: NodeProcess) => p.stop()));
    }

    /** Delivery transactions a process's payer sent. */
    function sentBy(p: NodeProcess): number {
      return readFileSync(p.logFile, "utf8")
        .split("\n")
        .filter((line) => line.includes('"msg":"payer sent a transaction"')).length;
    }

    /** The pid in each chain's watch lease of the split node (undefined where none is held). */
    async function leaseOwners(): Promise<(number | undefined)[]> {
      const tokens = await Promise.all(WATCHED.map((chain) => cluster.redis.redis.get(`${split.prefix}lease:watch:${chain}`)));
      return tokens.map((token) => {
        const pid = token?.match(/\/pid(\d+):/)?.[1];
        return pid === undefined ? undefined : Number(pid);
      });
    }
  });

  // ----- helpers -----

  function gateway(name: string): Contract {
    return cluster.chain(name).gateway;
  }

  /** Distinct amounts, so that a transfer delivered with another's amount would show. */
  async function send(user: NonceManager, to: Sent["to"], i: number): Promise<Sent> {
    const recipient = Wallet.createRandom().address;
    const amount = parseEther("0.01") * BigInt(i + 1) + BigInt(i + 1);
    const bttc = gateway("bttc").connect(user) as Contract;
    const receipt = await (await bttc.getFunction("bridge")(CHAIN_IDS[to], recipient, { value: amount })).wait();
    const ids = cluster.transferIdsIn("bttc", receipt.logs);
    assert.equal(ids.length, 1);
    return { id: ids[0]!, to, recipient, amount };
  }

  async function statuses(specs: readonly NodeSpec[], ids: readonly string[]): Promise<(TransferStatus | null)[][]> {
    return Promise.all(specs.map((spec) => Promise.all(ids.map((id) => cluster.storeOf(spec).statusOf(id)))));
  }

  async function allCompleted(sent: readonly Sent[], specs: readonly NodeSpec[], timeoutMs: number): Promise<void> {
    const ids = sent.map((s) => s.id);
    let last: (TransferStatus | null)[][] = [];
    try {
      await until(
        `${ids.length} transfers completed in every node`,
        async () => (last = await statuses(specs, ids)).every((l) => l.every((s) => s === "completed")),
        timeoutMs,
        200,
      );
    } catch (error) {
      const shown = last.map((l, i) => `${specs[i]!.id}: ${l.filter((s) => s !== "completed").join(",") || "all completed"}`).join("; ");
      throw new Error(`${(error as Error).message} (not completed: ${shown})`, { cause: error });
    }
  }

  async function assertExactlyOnce(sent: readonly Sent[], specs: readonly NodeSpec[]): Promise<void> {
    for (const dst of DESTINATIONS) {
      const to = sent.filter((s) => s.to === dst);
      const token = gateway(dst);
      for (const s of to) assert.equal(await token.getFunction("balanceOf")(s.recipient), s.amount, `balance of ${s.recipient} on ${dst}`);
      const sum = to.reduce((a, s) => a + s.amount, 0n);
      assert.equal(
        (await token.getFunction("totalSupply")()) - supplyBefore.get(dst)!,
        sum,
        `${dst} supply grew by exactly the sum sent there`,
      );
      const delivered = await cluster.deliveredIds(dst, startBlocks[dst]! + 1n);
      assert.deepEqual([...delivered].sort(), to.map((s) => s.id).sort(), `each transfer to ${dst} delivered exactly once, nothing else`);
    }
    for (const spec of specs) assert.deepEqual(await cluster.deadLetters(spec), [], `no dead letters in ${spec.id}`);
  }

  /** Who sent each transaction that delivered on `dst` from block `from` on. */
  async function deliverySenders(dst: string, from: bigint): Promise<string[]> {
    const chain = cluster.chain(dst);
    const topic = chain.gateway.interface.getEvent("TransfersDelivered")!.topicHash;
    const logs = await chain.provider.getLogs({
      address: chain.gateway.target as string,
      topics: [topic],
      fromBlock: from,
      toBlock: "latest",
    });
    const txs = await Promise.all([...new Set(logs.map((l) => l.transactionHash))].map((hash) => chain.provider.getTransaction(hash)));
    return txs.map((tx) => tx!.from);
  }
});
