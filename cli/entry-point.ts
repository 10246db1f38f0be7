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

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs `node <entry> ...args` (with this process's Node flags) and resolves with how it exited. SIGINT,
 * SIGTERM and SIGHUP sent to this process go on to the child, which stops cleanly on its own terms. The
 * child stays in this process's group, so whatever stops the group (a closed terminal, a supervisor)
 * stops it too; a Ctrl-C may then reach it twice (from the terminal and forwarded), which the entry
 * points take as one stop (common/process.ts).
 */
export function runEntryPoint(
  entry: URL,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: EntryPointOptions = {},
): Promise<EntryPointExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(entry), ...args], {
      env,
      stdio: options.capture ? ["inherit", "pipe", "pipe"] : "inherit",
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
