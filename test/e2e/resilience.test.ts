// Three relayer nodes (threshold 2) between two real `hardhat node` chains and real Redis, under the
// failures of issue 3. In each, transfers go BTTC→Ethereum (lock→mint), and the outcome is checked on
// chain and in the nodes: every recipient holds exactly its amount, the Ethereum gateway's supply grew by
// exactly the sum, the gateway's TransfersDelivered events name each transfer exactly once (and nothing
// else), every transfer is `completed` in every surviving node's store, and no job is dead-lettered.
//   1. a node (the route's designated deliverer, a child process) SIGKILLed mid-stream, then restarted;
//   2. a node's Redis data wiped mid-stream: once while it runs (all at one instant, as Redis losing it
//      would), once while it is stopped (then started again);
//   3. a deposit reorged out before finality: `dropped`, never delivered; its sequence number (and so its
//      transfer id) taken by a later transfer, which goes through with its own fields;
//   4. every node's RPC endpoints answering 429, dropping connections, then slow, for a while;
//   5. one node with tampered records (wrong amount and recipient) that signs and proposes them: refused,
//      nothing wrong delivered, the honest pair delivers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NonceManager, Wallet, parseEther, type Contract } from "ethers";
import { pino, type Logger } from "pino";
import type { RelayerNode } from "../../relayer/node.ts";
import { encodeObserved } from "../../common/records/codec.ts";
import type { TransferStatus } from "../../relayer/store/transfer-store.ts";
import { startFlakyRpc, type FlakyRpc } from "../../testkit/flaky-rpc.ts";
import { deleteByPrefix } from "../../testkit/redis.ts";
import {
  ProcessDir,
  devAccount,
  sleep,
  startCluster,
  until,
  wipeAtomically,
  type Cluster,
  type NodeConfigOptions,
  type NodeSpec,
} from "../../testkit/relayer-cluster.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

const IDS = ["n1", "n2", "n3"] as const;

interface Sent {
  id: string;
  recipient: string;
  amount: bigint;
  txHash: string;
}

/** In-process nodes' logs, kept to assert on and to show when a test fails. */
class LogSink {
  readonly lines: { node: string; level: number; msg: string; [k: string]: unknown }[] = [];

  logger(node: string): Logger {
    return pino(
      { level: "info", base: { node } },
      { write: (line: string) => void this.lines.push(JSON.parse(line) as LogSink["lines"][number]) },
    );
  }

  tail(count = 40): string {
    return this.lines
      .filter((l) => l.level >= 40)
      .slice(-count)
      .map((l) => JSON.stringify(l))
      .join("\n");
  }
}

describe("relayer resilience: three nodes, threshold 2, BTTC→Ethereum", () => {
  let cluster: Cluster;
  const processes = new ProcessDir();
  const inProcess = new Set<RelayerNode>();
  const proxies: FlakyRpc[] = [];
  let userIndex = 6;

  before(async () => {
    cluster = await startCluster({
      label: "resilience",
      chains: [
        { name: "bttc", chainId: CHAIN_IDS.bttc, role: "bttc" },
        { name: "ethereum", chainId: CHAIN_IDS.ethereum, role: "remote" },
      ],
      validatorCount: 3,
      threshold: 2,
      mineEveryMs: 200,
    });
  });

  after(async () => {
    // Whatever failed before: every node, process, proxy, chain and Redis key of this file goes.
    await Promise.allSettled([...inProcess].map((node) => node.stop()));
    await processes.remove();
    await Promise.allSettled(proxies.map((proxy) => proxy.close()));
    await cluster?.stop();
  });

  // ----- helpers -----

  interface Round {
    specs: NodeSpec[];
    options: NodeConfigOptions;
    ethStart: bigint;
    supplyBefore: bigint;
    user: NonceManager;
  }

  /** New nodes (own key prefixes, free ports) that start reading at the chains' current blocks. */
  async function round(label: string): Promise<Round> {
    const startBlocks = await cluster.blockNumbers();
    const user = new NonceManager(devAccount(userIndex++).connect(cluster.chain("bttc").provider));
    return {
      specs: await cluster.nodeSpecs(label, IDS),
      options: { startBlocks },
      ethStart: startBlocks.ethereum!,
      supplyBefore: await gateway("ethereum").getFunction("totalSupply")(),
      user,
    };
  }

  function gateway(name: string): Contract {
    return cluster.chain(name).gateway;
  }

  async function startInProcess(spec: NodeSpec, r: Round, sink: LogSink, options = r.options): Promise<RelayerNode> {
    const node = await cluster.startNode(spec, cluster.nodeConfig(spec, r.specs, options), sink.logger(spec.id));
    inProcess.add(node);
    return node;
  }

  async function stopInProcess(node: RelayerNode): Promise<void> {
    await node.stop();
    inProcess.delete(node);
  }

  /** Locks `amount` on BTTC for `recipient` on Ethereum; resolves once mined. */
  async function send(user: NonceManager, recipient: string, amount: bigint): Promise<Sent> {
    const bttc = gateway("bttc").connect(user) as Contract;
    const tx = await bttc.getFunction("bridge")(CHAIN_IDS.ethereum, recipient, { value: amount });
    const receipt = await tx.wait();
    const ids = cluster.transferIdsIn("bttc", receipt.logs);
    assert.equal(ids.length, 1, `one transfer in ${tx.hash as string}`);
    return { id: ids[0]!, recipient, amount, txHash: tx.hash as string };
  }

  function recipients(count: number): string[] {
    return Array.from({ length: count }, () => Wallet.createRandom().address);
  }

  /** Distinct amounts, so that a transfer delivered with another's amount would show. */
  function amountFor(i: number): bigint {
    return parseEther("0.01") * BigInt(i + 1) + BigInt(i + 1);
  }

  async function statuses(specs: readonly NodeSpec[], ids: readonly string[]): Promise<Map<string, (TransferStatus | null)[]>> {
    const out = new Map<string, (TransferStatus | null)[]>();
    for (const spec of specs) {
      const store = cluster.storeOf(spec);
      out.set(spec.id, await Promise.all(ids.map((id) => store.statusOf(id))));
    }
    return out;
  }

  function describeStatuses(all: Map<string, (TransferStatus | null)[]>): string {
    return [...all]
      .map(([node, list]) => {
        const counts = new Map<string, number>();
        for (const s of list) counts.set(String(s), (counts.get(String(s)) ?? 0) + 1);
        return `${node}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}`;
      })
      .join("; ");
  }

  /** Waits until every transfer is `completed` in every node of `specs`. */
  async function allCompleted(sent: readonly Sent[], specs: readonly NodeSpec[], timeoutMs: number): Promise<void> {
    const ids = sent.map((s) => s.id);
    let last = new Map<string, (TransferStatus | null)[]>();
    try {
      await until(
        `${ids.length} transfers completed in ${specs.map((s) => s.id).join(", ")}`,
        async () => {
          last = await statuses(specs, ids);
          return [...last.values()].every((list) => list.every((s) => s === "completed"));
        },
        timeoutMs,
        150,
      );
    } catch (error) {
      // One unfinished transfer's timeline per node, to show where it stopped.
      const stuck: string[] = [];
      for (const spec of specs) {
        const i = (last.get(spec.id) ?? []).findIndex((s) => s !== "completed");
        if (i < 0) continue;
        const record = await cluster.storeOf(spec).get(ids[i]!);
        const path = record?.timeline.map((e) => `${e.status}${e.detail ? ` (${e.detail})` : ""}`).join(" → ") ?? "no record";
        stuck.push(`${spec.id} ${ids[i]}: ${path}`);
      }
      throw new Error(`${(error as Error).message} (statuses: ${describeStatuses(last)})\n${stuck.join("\n")}`, { cause: error });
    }
  }

  /** The exactly-once outcome: balances, supply, delivery events, stores, dead letters. */
  async function assertExactlyOnce(r: Round, sent: readonly Sent[], survivors: readonly NodeSpec[]): Promise<void> {
    const eth = gateway("ethereum");
    for (const s of sent) {
      assert.equal(await eth.getFunction("balanceOf")(s.recipient), s.amount, `balance of ${s.recipient} (transfer ${s.id})`);
    }
    const sum = sent.reduce((a, s) => a + s.amount, 0n);
    assert.equal((await eth.getFunction("totalSupply")()) - r.supplyBefore, sum, "Ethereum supply grew by exactly the sum sent");
    const delivered = await cluster.deliveredIds("ethereum", r.ethStart + 1n);
    assert.deepEqual([...delivered].sort(), sent.map((s) => s.id).sort(), "each transfer delivered exactly once, nothing else");
    const all = await statuses(
      survivors,
      sent.map((s) => s.id),
    );
    for (const [node, list] of all) {
      assert.ok(
        list.every((s) => s === "completed"),
        `every transfer completed in ${node}'s store (${describeStatuses(all)})`,
      );
    }
    for (const spec of survivors) {
      assert.deepEqual(await cluster.deadLetters(spec), [], `no dead letters in ${spec.id}`);
    }
  }

  /** Runs `work`, adding the nodes' warnings to its error if it fails; stops the in-process nodes either way. */
  async function withNodes<T>(sink: LogSink, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Error) error.message += `\n--- node warnings and errors (last 40) ---\n${sink.tail()}`;
      throw error;
    } finally {
      await Promise.all([...inProcess].map((node) => stopInProcess(node)));
    }
  }

  // ----- 1 -----

  it("a node SIGKILLed mid-stream and started again: every transfer delivered exactly once", async (t) => {
    const r = await round("kill");
    const [victim] = cluster.designated("bttc", "ethereum", r.specs);
    const configs = new Map(r.specs.map((s) => [s.id, cluster.nodeConfig(s, r.specs, r.options)]));
    await Promise.all(r.specs.map((s) => processes.spawn(cluster, s, configs.get(s.id)!)));
    const victimProcess = () => processes.running().find((p) => p.spec.id === victim!.id);
    const victimStore = cluster.storeOf(victim!);
    const sent: Sent[] = [];
    let restarting: Promise<unknown> | null = null;
    try {
      const to = recipients(20);
      for (const [i, recipient] of to.entries()) {
        sent.push(await send(r.user, recipient, amountFor(i)));
        if (i === 7) {
          // Kill it while it has a delivery in hand (attested or submitted), if it gets to one soon.
          const inFlight = async () =>
            [...(await victimStore.idsWithStatus("attested")), ...(await victimStore.idsWithStatus("submitted"))].length;
          await until(`${victim!.id} to have a delivery in flight`, inFlight, 3_000, 20).catch(() => undefined);
          const running = victimProcess();
          assert.ok(running, `${victim!.id}'s process is running before the kill`);
          await running.kill();
          t.diagnostic(`${victim!.id} (designated) SIGKILLed after ${i + 1} transfers, with ${await inFlight()} attested or submitted`);
        }
        if (i === 12) {
          restarting = processes.spawn(cluster, victim!, configs.get(victim!.id)!);
          restarting.catch(() => undefined); // awaited below
        }
        await sleep(120);
      }
      await restarting;
      await allCompleted(sent, r.specs, 45_000);
      await assertExactlyOnce(r, sent, r.specs);
    } catch (error) {
      if (error instanceof Error) {
        for (const p of processes.running()) error.message += `\n--- ${p.spec.id} (last lines) ---\n${p.tail(15)}`;
      }
      throw error;
    } finally {
      await Promise.all(processes.running().map((p) => p.stop()));
    }
  });

  // ----- 2 -----

  it("a node's Redis data wiped mid-stream, while it runs and while it is stopped: every transfer delivered, none twice", async () => {
    const r = await round("wipe");
    const sink = new LogSink();
    const [designated, second] = cluster.designated("bttc", "ethereum", r.specs);
    const nodes = new Map<string, RelayerNode>();
    for (const spec of r.specs) nodes.set(spec.id, await startInProcess(spec, r, sink));
    await withNodes(sink, async () => {
      const sent: Sent[] = [];
      for (const [i, recipient] of recipients(16).entries()) {
        sent.push(await send(r.user, recipient, amountFor(i)));
        if (i === 5) {
          // The designated deliverer loses everything (store, cursors, queues, locks) while it runs.
          assert.ok((await wipeAtomically(cluster.redis.redis, designated!.prefix)) > 0, "wiped something");
        }
        if (i === 9) {
          await stopInProcess(nodes.get(second!.id)!);
          await deleteByPrefix(cluster.redis.redis, second!.prefix);
        }
        if (i === 11) nodes.set(second!.id, await startInProcess(second!, r, sink));
        await sleep(120);
      }
      await allCompleted(sent, r.specs, 30_000);
      await assertExactlyOnce(r, sent, r.specs);
    });
  });

  // ----- 3 -----

  it("a deposit reorged out before finality is dropped and never delivered; a later transfer still goes through", async () => {
    const r = await round("reorg");
    const sink = new LogSink();
    await Promise.all(r.specs.map((s) => startInProcess(s, r, sink)));
    const bttc = cluster.chain("bttc").provider;
    await withNodes(sink, async () => {
      const [ghostRecipient, laterRecipient] = recipients(2);
      cluster.pauseMining("bttc");
      let ghost: Sent;
      try {
        const snapshot = (await bttc.send("evm_snapshot", [])) as string;
        ghost = await send(r.user, ghostRecipient!, parseEther("4"));
        await until(
          "every node to see the deposit pending",
          async () => [...(await statuses(r.specs, [ghost.id])).values()].every((s) => s[0] === "pending"),
          10_000,
          50,
        );
        assert.equal(await bttc.send("evm_revert", [snapshot]), true, "evm_revert");
        r.user.reset(); // the reverted transaction's nonce is free again
      } finally {
        cluster.resumeMining("bttc");
      }
      await until(
        "every node to record the deposit dropped",
        async () => [...(await statuses(r.specs, [ghost.id])).values()].every((s) => s[0] === "dropped"),
        10_000,
      );
      // Well past the depth at which it would have been final: still dropped, nothing delivered.
      const dropBlock = BigInt(await bttc.getBlockNumber());
      await until("three more BTTC blocks", async () => BigInt(await bttc.getBlockNumber()) >= dropBlock + 3n, 5_000);
      await sleep(500);
      for (const [node, [status]] of await statuses(r.specs, [ghost.id])) assert.equal(status, "dropped", `${node}: the reorged deposit`);
      assert.equal(await gateway("ethereum").getFunction("balanceOf")(ghostRecipient), 0n);

      // The gateway's sequence went back with the reorg, so the next transfer takes the same sequence
      // number — the same transfer id — with another recipient and amount: that one is delivered.
      const later = await send(r.user, laterRecipient!, parseEther("1.5"));
      assert.equal(later.id, ghost.id, "the later transfer reuses the reorged one's sequence");
      await allCompleted([later], r.specs, 20_000);
      await assertExactlyOnce(r, [later], r.specs);
      assert.equal(await gateway("ethereum").getFunction("balanceOf")(ghostRecipient), 0n, "the reorged recipient got nothing");
      for (const spec of r.specs) {
        const record = await cluster.storeOf(spec).get(later.id);
        assert.ok(record, `${spec.id} holds the transfer`);
        assert.equal(record.observed.transfer.recipient, laterRecipient, `${spec.id} holds the later transfer's recipient`);
        assert.equal(record.observed.transfer.amount, parseEther("1.5"), `${spec.id} holds the later transfer's amount`);
        const path = record.timeline.map((e) => e.status);
        assert.deepEqual(path.slice(0, 2), ["pending", "dropped"], `${spec.id}'s timeline: ${path.join(" → ")}`);
        assert.equal(path.at(-1), "completed", `${spec.id}'s timeline: ${path.join(" → ")}`);
      }
    });
  });

  // ----- 4 -----

  it("RPC endpoints answering 429, dropping connections and slow for a while: the nodes recover without loss", async () => {
    const r = await round("flaky");
    const sink = new LogSink();
    const bttcProxy = await startFlakyRpc(cluster.chain("bttc").node.url);
    proxies.push(bttcProxy);
    const ethProxy = await startFlakyRpc(cluster.chain("ethereum").node.url);
    proxies.push(ethProxy);
    const options: NodeConfigOptions = { ...r.options, rpcUrls: { bttc: bttcProxy.url, ethereum: ethProxy.url } };
    await Promise.all(r.specs.map((s) => startInProcess(s, r, sink, options)));
    await withNodes(sink, async () => {
      const both = (mode: Parameters<FlakyRpc["set"]>[0]) => {
        bttcProxy.set(mode);
        ethProxy.set(mode);
      };
      const trouble = (async () => {
        await sleep(300);
        both({ kind: "rateLimit", retryAfterSeconds: 1 });
        await sleep(1_500);
        both({ kind: "drop" });
        await sleep(1_500);
        both({ kind: "delay", ms: 400 });
        await sleep(1_500);
        both({ kind: "pass" });
      })();
      const sent: Sent[] = [];
      try {
        for (const [i, recipient] of recipients(12).entries()) {
          sent.push(await send(r.user, recipient, amountFor(i)));
          await sleep(300);
        }
      } finally {
        await trouble;
        both({ kind: "pass" });
      }
      for (const proxy of [bttcProxy, ethProxy]) {
        assert.ok(
          proxy.stats.rateLimited > 0 && proxy.stats.dropped > 0 && proxy.stats.delayed > 0,
          `every kind of trouble happened: ${JSON.stringify({ ...proxy.stats, methods: undefined })}`,
        );
      }
      await allCompleted(sent, r.specs, 30_000);
      await assertExactlyOnce(r, sent, r.specs);
    });
  });

  // ----- 5 -----

  it("a node with tampered records signs a wrong amount and recipient: nothing wrong is delivered, the honest pair delivers", async () => {
    const r = await round("liar");
    const sink = new LogSink();
    // The liar is the route's designated deliverer, so it proposes its version first and co-signs too.
    const [liar, honest1, honest2] = cluster.designated("bttc", "ethereum", r.specs);
    const attacker = Wallet.createRandom().address;
    await startInProcess(liar!, r, sink);
    await withNodes(sink, async () => {
      const sent: Sent[] = [];
      for (const [i, recipient] of recipients(3).entries()) sent.push(await send(r.user, recipient, amountFor(i)));
      const liarStore = cluster.storeOf(liar!);
      await until(
        `${liar!.id} to see the transfers final (its peers are not up yet)`,
        async () => (await Promise.all(sent.map((s) => liarStore.statusOf(s.id)))).every((s) => s === "finalized"),
        30_000, // a loaded CI machine has taken over 10 s
        50,
      );
      // Its records now say otherwise: amounts a thousand times larger, and one recipient the attacker's.
      for (const [i, s] of sent.entries()) {
        const record = (await liarStore.get(s.id))!;
        const transfer = { ...record.observed.transfer, amount: record.observed.transfer.amount * 1_000n };
        if (i === 0) transfer.recipient = attacker;
        await cluster.redis.redis.hset(liarStore.keys.transfer(s.id), "record", encodeObserved({ ...record.observed, transfer }));
      }

      // With one honest node up, neither side gets a second signature: nothing is delivered.
      await startInProcess(honest1!, r, sink);
      const refused = (line: LogSink["lines"][number]) =>
        line.node === honest1!.id && line.msg === "peer did not co-sign" && line.peer === liar!.id && line.reason === "FIELDS_DIFFER";
      await until(`${honest1!.id} to be refused by ${liar!.id} (FIELDS_DIFFER)`, () => Promise.resolve(sink.lines.some(refused)), 30_000);
      await until(
        `${honest1!.id} to refuse ${liar!.id}'s tampered batch (FIELDS_DIFFER)`,
        () =>
          Promise.resolve(
            sink.lines.some((l) => l.node === honest1!.id && l.msg === "attestation refused" && l.reason === "FIELDS_DIFFER"),
          ),
        30_000,
      );
      const eth = gateway("ethereum");
      for (const s of sent) assert.equal(await eth.getFunction("balanceOf")(s.recipient), 0n, "nothing delivered with one honest signer");
      assert.deepEqual(await cluster.deliveredIds("ethereum", r.ethStart + 1n), []);

      // The second honest node: the honest pair delivers the transfers as they were sent.
      await startInProcess(honest2!, r, sink);
      await allCompleted(sent, [honest1!, honest2!, liar!], 20_000);
      await assertExactlyOnce(r, sent, [honest1!, honest2!, liar!]);
      assert.equal(await eth.getFunction("balanceOf")(attacker), 0n, "the attacker got nothing");
    });
  });
});
