// A real `hardhat node` JSON-RPC server in a child process, for tests that talk to chains the way the
// relayer and the CLI do (over HTTP), rather than through an in-process provider.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hardforkOf, type Hardfork } from "../devnet/chains.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface HardhatNode {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** The hardhat.config.ts network of a test node under each chain's rules. */
const NODE_NETWORKS: Record<Hardfork, string> = { berlin: "nodeBerlin", cancun: "nodeCancun", prague: "nodePrague" };

/**
 * Starts `hardhat node` with `chainId` on a free port, under `hardfork`'s rules: by default the chain's
 * own (the devnet BTTC id runs Berlin, BSC's Cancun, any other Prague; devnet/chains.ts). `network` (a
 * name in hardhat.config.ts) overrides both.
 */
export async function startHardhatNode(options: { chainId: bigint; hardfork?: Hardfork; network?: string }): Promise<HardhatNode> {
  const port = await freePort();
  const network = options.network ?? NODE_NETWORKS[options.hardfork ?? hardforkOf(options.chainId)];
  const args = ["--network", network, "node", "--port", String(port), "--chain-id", options.chainId.toString()];
  const child = spawn(join(root, "node_modules", ".bin", "hardhat"), args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}` },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForOutput(child, /Started HTTP and WebSocket JSON-RPC server/, 60_000);
  return {
    url,
    port,
    stop: () => stopChild(child),
  };
}

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hardhat node did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.resume(); // keep draining, or the child blocks on a full pipe
        child.stderr?.resume();
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited with ${code}:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  });
}
