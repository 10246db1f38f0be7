// Entry points stop once (common/process.ts): a second signal while stopping — a Ctrl-C that reached a
// relayer both from the terminal and through `bttb` — neither cuts the stop short nor runs it again.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

describe("stopOnSignals", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "bttb-signals-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("stops once on SIGINT, ignores a second signal during the stop, and exits 0 when the stop is done", async () => {
    const ready = join(dir, "ready");
    const stops = join(dir, "stops");
    const script = join(dir, "entry.mjs");
    const helper = JSON.stringify(import.meta.resolve("../../common/process.ts"));
    const pinoUrl = JSON.stringify(import.meta.resolve("pino"));
    writeFileSync(
      script,
      `import { appendFileSync, writeFileSync } from "node:fs";
       import { pino } from ${pinoUrl};
       import { stopOnSignals } from ${helper};
       stopOnSignals(pino({ level: "silent" }), async () => {
         appendFileSync(${JSON.stringify(stops)}, "stop\\n");
         await new Promise((resolve) => setTimeout(resolve, 300));
       });
       setInterval(() => {}, 1000);
       writeFileSync(${JSON.stringify(ready)}, "");`,
    );
    const child = spawn(process.execPath, [script], { stdio: "inherit", cwd: process.cwd() });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const started = Promise.race([
      (async () => {
        while (!existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 20));
      })(),
      exited.then((code) => assert.fail(`the entry point exited (${code}) before it was ready`)),
    ]);
    await started;
    child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGINT");
    assert.equal(await exited, 0, "the stop ran to its end");
    assert.equal(readFileSync(stops, "utf8"), "stop\n", "the stop ran once");
  });
});
