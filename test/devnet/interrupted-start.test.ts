// A devnet stopped half-way through starting leaves nothing running: Ctrl-C stops what had started;
// after a SIGKILL (no chance to clean up), the next start from the same folder stops the leftovers
// (only processes tagged with that folder) and goes on.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "../../testkit/hardhat-node.ts";
import { alive } from "../../testkit/devnet.ts";
import { testRedisUrl } from "../../testkit/redis.ts";
import { until } from "../../testkit/wait.ts";
import { logTail } from "../../devnet/processes.ts";
import { stopLeftovers, taggedProcesses } from "../../devnet/leftovers.ts";
import { wipePrefix } from "../../devnet/redis.ts";

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

describe("devnet stopped while starting", { timeout: 300_000 }, () => {
  let dataDir: string;
  let args: string[];
  const prefix = `bttb-test:devnet-interrupted-${process.pid}:`;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "bttb-devnet-interrupted-"));
    args = ["devnet/main.ts", "--data-dir", dataDir, "--redis-prefix", prefix];
    for (const flag of [
      "--bttc-port",
      "--ethereum-port",
      "--bsc-port",
      "--tron-port",
      "--api-port",
      "--watchtower-port",
      "--relayer-port",
      "--web-port",
    ]) {
      args.push(flag, String(await freePort()));
    }
  });
  after(async () => {
    await stopLeftovers(dataDir); // whatever a failed test left running
    await wipePrefix(testRedisUrl(), prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  function start(): Run {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, REDIS_URL: testRedisUrl() } });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, output: () => output, exited };
  }

  /** The parts recorded once the three chains are up (the devnet is still starting). */
  async function partsOnceChainsAreUp(run: Run): Promise<Record<string, number>> {
    try {
      await until(
        "the chains to be up",
        () => {
          if (run.child.exitCode !== null) throw new Error(`the devnet exited (${run.child.exitCode}) while starting`);
          return Promise.resolve(/✓ chains/.test(run.output()));
        },
        180_000,
        200,
      );
    } catch (error) {
      const logs = ["build", "chain-bttc", "chain-ethereum", "chain-bsc"].map(
        (name) => `--- ${name}.log:\n${logTail(join(dataDir, "logs", `${name}.log`))}`,
      );
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- devnet output:\n${run.output()}\n${logs.join("\n")}`);
    }
    const recorded = JSON.parse(readFileSync(join(dataDir, "processes.json"), "utf8")) as { parts: Record<string, number> };
    assert.deepEqual(
      Object.keys(recorded.parts)
        .filter((n) => n.startsWith("chain-"))
        .sort(),
      ["chain-bsc", "chain-bttc", "chain-ethereum"],
    );
    return recorded.parts;
  }

  it("Ctrl-C while starting stops what had started", async () => {
    const run = start();
    const parts = await partsOnceChainsAreUp(run);
    run.child.kill("SIGINT");
    assert.equal(await run.exited, 130, run.output());
    assert.match(run.output(), /Ctrl-C while starting: stopping everything/);
    await until("every part to exit", () => Promise.resolve(Object.values(parts).every((pid) => !alive(pid))), 20_000);
    assert.equal(existsSync(join(dataDir, "processes.json")), false);
    assert.deepEqual(taggedProcesses(dataDir).filter(alive), [], "no process of this devnet left");
  });

  it("after a SIGKILL while starting, the next start stops the leftovers and starts", async () => {
    const first = start();
    const parts = await partsOnceChainsAreUp(first);
    first.child.kill("SIGKILL");
    await first.exited;
    assert.ok(Object.values(parts).every(alive), "the killed devnet's parts are still running");

    const second = start();
    await until(
      "the leftovers to be stopped",
      () => Promise.resolve(/stopped what an earlier devnet left running: chain-bttc, chain-ethereum, chain-bsc/.test(second.output())),
      60_000,
      200,
    );
    await until("the old parts to exit", () => Promise.resolve(Object.values(parts).every((pid) => !alive(pid))), 20_000);
    // Its own chains come up on the same ports the leftovers held.
    const ownParts = await partsOnceChainsAreUp(second);
    assert.ok(Object.values(ownParts).every((pid) => !Object.values(parts).includes(pid)));
    second.child.kill("SIGINT");
    assert.equal(await second.exited, 130, second.output());
    await until("every part to exit", () => Promise.resolve(Object.values(ownParts).every((pid) => !alive(pid))), 20_000);
    await until(
      "no process of either devnet to be left",
      () => Promise.resolve(taggedProcesses(dataDir).filter(alive).length === 0),
      20_000,
    );
  });
});
