// The devnet's child processes: each started with its output in its own log file, tagged with the
// devnet's data folder (so that a later start can tell its own leftovers from anything else), recorded
// in `processes.json` the moment it starts, waited on until it is ready, watched for an early exit, and
// stopped in the reverse order of starting: SIGTERM, then SIGKILL if it lingers.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PartFailedError } from "./errors.ts";

/** The environment variable that marks a process as a part of the devnet of a given data folder. */
export const DEVNET_TAG = "BTTB_DEVNET_DIR";
export const PROCESS_FILE = "processes.json";

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
}

/** The last `lines` lines of a log file, for an error message. */
export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export class ProcessGroup {
  private readonly running: ManagedProcess[] = [];
  private stopping = false;
  private readonly dataDir: string;
  private readonly logDir: string;
  /** Called once when a part exits while the devnet is up. */
  private readonly onUnexpectedExit: (part: ManagedProcess, code: number | null, signal: string | null) => void;

  constructor(dataDir: string, onUnexpectedExit: (part: ManagedProcess, code: number | null, signal: string | null) => void) {
    this.dataDir = dataDir;
    this.logDir = join(dataDir, "logs");
    this.onUnexpectedExit = onUnexpectedExit;
  }

  start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ManagedProcess {
    if (this.stopping) throw new PartFailedError(name, "not started: the devnet is stopping");
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, "w");
    // Its own process group (detached), so that Ctrl-C in the terminal reaches the devnet only, and the
    // devnet stops its parts in order instead of all of them dying at once.
    const child = spawn(command, args, { cwd, env: { ...env, [DEVNET_TAG]: this.dataDir }, stdio: ["ignore", fd, fd], detached: true });
    closeSync(fd);
    const part: ManagedProcess = { name, child, logFile };
    this.running.push(part);
    this.record();
    child.once("exit", (code, signal) => {
      if (!this.stopping) this.onUnexpectedExit(part, code, signal);
    });
    return part;
  }

  /** Runs a command to its end (a build step), its output in its own log file; rejects unless it exits 0. */
  async run(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, "w");
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    if (code !== 0) throw new PartFailedError(name, `failed (exit ${code}); its log ends:\n${logTail(logFile)}`);
  }

  /** Resolves once `ready()` does; rejects, naming the part, when it exits first or takes too long. */
  async waitReady(part: ManagedProcess, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (part.child.exitCode !== null || part.child.signalCode !== null) {
        throw new PartFailedError(
          part.name,
          `exited (${part.child.exitCode ?? part.child.signalCode}) while starting; its log ends:\n${logTail(part.logFile)}`,
        );
      }
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) {
        throw new PartFailedError(part.name, `not ready after ${timeoutMs / 1000} s; its log ends:\n${logTail(part.logFile)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /** Stops every part, the last started first. Safe to call more than once, and while parts start. */
  async stopAll(graceMs = 8_000): Promise<void> {
    this.stopping = true;
    while (this.running.length > 0) {
      const part = this.running.pop()!;
      await stopProcess(part.child, graceMs);
    }
    rmSync(join(this.dataDir, PROCESS_FILE), { force: true });
  }

  /** Each running part's process id, by name. */
  pids(): Record<string, number> {
    return Object.fromEntries(this.running.filter((p) => p.child.pid !== undefined).map((p) => [p.name, p.child.pid!]));
  }

  /** Written at every start, so that a devnet killed half-way through starting can be cleaned up after. */
  private record(): void {
    writeFileSync(join(this.dataDir, PROCESS_FILE), JSON.stringify({ devnet: process.pid, parts: this.pids() }, null, 2) + "\n");
  }
}

async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      // Whatever the part itself started (hardhat's workers) goes with it.
      signalGroup(child, "SIGKILL");
      resolve();
    });
    signalGroup(child, "SIGTERM");
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
