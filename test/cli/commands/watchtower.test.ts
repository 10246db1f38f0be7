// `bttb watchtower` runs the watchtower's entry point as its own process (cli/ imports none of it): a
// missing --config is a usage error; a configuration the watchtower refuses comes back as its exit code,
// with its message naming what is wrong (a valid one runs until SIGTERM: the devnet starts it this way).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { run } from "../../../cli/bttb.ts";
import { UsageError } from "../../../cli/errors.ts";

const BTTB = fileURLToPath(new URL("../../../cli/bttb.ts", import.meta.url));

function bttb(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BTTB, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("close", (code) => resolve({ code, stderr }));
  });
}

describe("bttb watchtower", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "bttb-watchtower-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("needs --config", async () => {
    await assert.rejects(
      run(["watchtower"], process.env, () => {}),
      (error: unknown) => error instanceof UsageError && /needs --config/.test(error.message),
    );
  });

  it("runs the watchtower's entry point, whose refusal of a bad configuration is its exit code and message", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ mode: "pause", chains: [], http: { port: 0 }, stateDir: dir }));
    const { code, stderr } = await bttb(["watchtower", "--config", file]);
    assert.equal(code, 1);
    assert.match(stderr, /invalid watchtower configuration/);
    assert.match(stderr, /chains: Too small/);
    assert.match(stderr, /guardianKey: pause mode needs the guardian key/);
  });
});
