// A devnet killed without its Ctrl-C (SIGKILL, a closed terminal, even half-way through starting) leaves
// its parts running, holding the ports. The next start from the same data folder stops them: every
// process that carries this data folder's tag in its own environment (found in /proc, so that a part
// started a moment before the kill, not yet in `processes.json`, is found too), and never anything else.
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DEVNET_TAG, PROCESS_FILE } from "./processes.ts";
import { DevnetError } from "./errors.ts";

function taggedWith(pid: number, dataDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`${DEVNET_TAG}=${dataDir}`);
  } catch {
    return false; // gone, not ours to read, or not Linux: leave it alone
  }
}

/** True while `pid` runs (a zombie, exited but not yet reaped by its new parent, counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; the comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc (not Linux): kill(0) said it exists
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, sig); // its process group first: the part and whatever it started
      return;
    } catch {
      // No such group (or process): try the next, else it is gone.
    }
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

/** Stops what a previous, killed devnet of `dataDir` left running; returns the names of the parts stopped. */
export async function stopLeftovers(dataDir: string): Promise<string[]> {
  const file = join(dataDir, PROCESS_FILE);
  let recorded: { devnet?: number; parts?: Record<string, number> } = {};
  try {
    if (existsSync(file)) recorded = JSON.parse(readFileSync(file, "utf8")) as typeof recorded;
  } catch {
    // Unreadable: the scan of /proc below still finds the tagged processes.
  }
  const devnetPid = recorded.devnet;
  if (devnetPid !== undefined && devnetPid !== process.pid && alive(devnetPid) && commandLine(devnetPid).includes("devnet/main.ts")) {
    throw new DevnetError(
      "ALREADY_RUNNING",
      `a devnet is already running from ${dataDir} (process ${devnetPid}): stop it with Ctrl-C first, or give another --data-dir and ports`,
    );
  }
  const names = new Map(Object.entries(recorded.parts ?? {}).map(([name, pid]) => [pid, name]));
  const ours: [string, number][] = [...new Set([...names.keys(), ...taggedProcesses(dataDir)])]
    .filter((pid) => pid !== process.pid && taggedWith(pid, dataDir))
    .map((pid) => [names.get(pid) ?? `process ${pid}`, pid]);
  for (const [, pid] of ours) signal(pid, "SIGTERM");
  const deadline = Date.now() + 10_000;
  for (const [, pid] of ours) {
    while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (alive(pid)) signal(pid, "SIGKILL");
  }
  rmSync(file, { force: true });
  return ours.map(([name]) => name);
}

/** Every process (readable by this user) tagged with `dataDir`; none where there is no /proc. */
export function taggedProcesses(dataDir: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => taggedWith(pid, dataDir));
}
