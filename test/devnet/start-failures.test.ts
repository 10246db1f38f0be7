// `npm start` refuses to start half a devnet: a port in use or a Redis that does not answer stops it
// at once, with a message naming the part, and nothing is left running.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "../../testkit/hardhat-node.ts";

function runDevnet(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["devnet/main.ts", ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe("devnet start-up failures", () => {
  let dataDir: string;
  let blocker: Server;
  let busyPort: number;
  const ports: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "bttb-devnet-fail-"));
    busyPort = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(busyPort, "127.0.0.1", resolve));
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
      ports.push(flag, String(await freePort()));
    }
  });
  after(async () => {
    await new Promise((resolve) => blocker.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("names the port in use and the flag that moves it", async () => {
    const args = [...ports, "--data-dir", dataDir, "--ethereum-port", String(busyPort)];
    const { code, output } = await runDevnet(args);
    assert.equal(code, 1);
    assert.match(output, new RegExp(`127\\.0\\.0\\.1:${busyPort} \\(ethereum JSON-RPC\\) is in use.*--ethereum-port`));
    assert.doesNotMatch(output, /contracts compiled/);
  });

  it("names a Redis that does not answer", async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const { code, output } = await runDevnet([...ports, "--data-dir", dataDir], { REDIS_URL: deadRedis });
    assert.equal(code, 1);
    assert.match(output, new RegExp(`Redis at ${deadRedis.replace(/[./]/g, "\\$&")} \\(REDIS_URL\\) does not answer`));
  });

  it("refuses a bad option before starting anything", async () => {
    const { code, output } = await runDevnet(["--api-port", "eighty"]);
    assert.equal(code, 1);
    assert.match(output, /--api-port \(DEVNET_API_PORT\): /);
  });
});
