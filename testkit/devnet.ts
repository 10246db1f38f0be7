// The local testnet as `npm start` runs it, for end-to-end tests: the real `devnet/main.ts` process on
// free ports, its own data folder and Redis prefix, stopped with SIGINT as Ctrl-C would; and the CLI
// run as a user runs it, as its own process.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DevnetInfo } from "../devnet/configs.ts";
import { freePort } from "./hardhat-node.ts";
import { isFree } from "../devnet/ports.ts";
import { wipePrefix } from "../devnet/redis.ts";
import { testRedisUrl } from "./redis.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface DevnetProcess {
  info: DevnetInfo;
  infoFile: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGINT (Ctrl-C), then waits for the exit; returns the exit code. */
  stop(): Promise<number | null>;
}

export async function startDevnetProcess(label: string, timeoutMs = 240_000): Promise<DevnetProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), `bttb-${label}-`));
  const prefix = `bttb-test:${label}-${process.pid}-${Date.now()}:`;
  const args = ["devnet/main.ts", "--data-dir", dataDir, "--redis-prefix", prefix];
  for (const flag of ["--bttc-port", "--ethereum-port", "--bsc-port", "--tron-port", "--api-port", "--web-port"])
    args.push(flag, String(await freePort()));
  // Three consecutive free ports for the relayer nodes.
  let relayerPort = 0;
  for (let tries = 0; tries < 20 && relayerPort === 0; tries++) {
    const candidate = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await Promise.all([0, 1, 2].map((i) => isFree("127.0.0.1", candidate + i)))).every(Boolean)) relayerPort = candidate;
  }
  args.push("--relayer-port", String(relayerPort));

  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, REDIS_URL: testRedisUrl() },
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the devnet did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
      const check = () => {
        if (output.includes("Ctrl-C stops it all.")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", check);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the devnet exited (${code}) while starting:\n${output}`));
      });
    });
  } catch (error) {
    // Not up in time: Ctrl-C it (it stops what it started), so that a failed test leaves nothing behind.
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      await exited;
    }
    await wipePrefix(testRedisUrl(), prefix);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const infoFile = join(dataDir, "devnet.json");
  const info = JSON.parse(readFileSync(infoFile, "utf8")) as DevnetInfo;
  return {
    info,
    infoFile,
    dataDir,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        child.kill("SIGINT");
        const code = await exited;
        await wipePrefix(testRedisUrl(), prefix);
        rmSync(dataDir, { recursive: true, force: true });
        return code;
      }
      return child.exitCode;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run bttb -- <args>` as a user runs it (the same entry, without npm's banner). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["cli/bttb.ts", ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** True while a process with this pid runs (a zombie counts as gone). */
export { alive } from "../devnet/leftovers.ts";
