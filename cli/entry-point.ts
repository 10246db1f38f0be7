// Runs another part's node entry point (the relayer, its operator tools) as a child process: cli/ imports
// nothing from relayer/, so a command that needs the relayer's code runs that code in its own process,
// with the arguments and environment given, and passes its exit code on.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";

export interface EntryPointOptions {
  /** Collect the child's stdout and stderr (for the command to read) instead of passing them through. */
  capture?: boolean;
}

export interface EntryPointExit {
  /** The child's exit code; 128 + the signal's number if a signal ended it (as a shell reports it). */
  code: number;
  /** With `capture`: what the child wrote (else empty). */
  stdout: string;
  stderr: string;
}

const FORWARDED = ["SIGINT", "SIGTERM"] as const;

/**
 * Runs `node <entry> ...args` and resolves with how it exited. SIGINT and SIGTERM sent to this process
 * go on to the child, which stops cleanly on its own terms. The child runs in its own process group so
 * that a Ctrl-C at the terminal reaches it once (through this process), not twice: the relayer takes
 * the first SIGINT as "stop cleanly" and a second one would end it half-way.
 */
export function runEntryPoint(
  entry: URL,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: EntryPointOptions = {},
): Promise<EntryPointExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(entry), ...args], {
      env,
      stdio: options.capture ? ["inherit", "pipe", "pipe"] : "inherit",
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
    const forward = (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
    };
    child.once("error", (error) => {
      done();
      reject(error);
    });
    child.once("close", (code, signal) => {
      done();
      resolve({
        code: code ?? 128 + (signal ? constants.signals[signal] : 0),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}
