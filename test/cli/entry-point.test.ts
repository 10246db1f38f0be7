// Running another part's entry point as a child (cli/entry-point.ts, used by `bttb relayer` and `bttb
// refund`): arguments and environment reach it, its output can be read, its exit code comes back, and
// a signal to this process reaches it once.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { runEntryPoint } from "../../cli/entry-point.ts";

describe("runEntryPoint", () => {
  let dir: string;
  const entry = (name: string, source: string) => {
    const file = join(dir, name);
    writeFileSync(file, source);
    return pathToFileURL(file);
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "bttb-entry-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("passes arguments and environment, captures output and returns the exit code", async () => {
    const script = entry(
      "echo.mjs",
      `console.log(JSON.stringify({ args: process.argv.slice(2), v: process.env.BTTB_ENTRY_TEST }));
       console.error("to stderr"); process.exitCode = 3;`,
    );
    const run = await runEntryPoint(script, ["--config", "a b.json"], { ...process.env, BTTB_ENTRY_TEST: "x" }, { capture: true });
    assert.equal(run.code, 3);
    assert.deepEqual(JSON.parse(run.stdout), { args: ["--config", "a b.json"], v: "x" });
    assert.equal(run.stderr, "to stderr\n");
  });

  it("forwards SIGTERM to the child once and passes on how it stopped", async () => {
    const ready = join(dir, "ready");
    const child = entry(
      "wait.mjs",
      `import { writeFileSync } from "node:fs";
       let n = 0;
       process.on("SIGTERM", () => { n++; setTimeout(() => process.exit(10 + n), 200); });
       writeFileSync(${JSON.stringify(ready)}, ""); setInterval(() => {}, 1000);`,
    );
    // A process like bttb, running the child through runEntryPoint, stopped as a supervisor would stop it.
    const helper = JSON.stringify(import.meta.resolve("../../cli/entry-point.ts"));
    const driver = entry(
      "driver.mjs",
      `import { runEntryPoint } from ${helper};
       process.exitCode = (await runEntryPoint(new URL(${JSON.stringify(child.href)}), [], process.env)).code;`,
    );
    const parent = spawn(process.execPath, [fileURLToPath(driver)], { stdio: "inherit" });
    const exited = new Promise<number | null>((resolve) => parent.once("exit", (code) => resolve(code)));
    while (!existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 20)); // the child listens
    parent.kill("SIGTERM");
    assert.equal(await exited, 11, "one SIGTERM reached the child, and its exit code came back");
  });

  it("reports a child ended by a signal as 128 + its number", async () => {
    const script = entry("die.mjs", `process.kill(process.pid, "SIGKILL");`);
    assert.equal((await runEntryPoint(script, [], process.env)).code, 137);
  });
});
