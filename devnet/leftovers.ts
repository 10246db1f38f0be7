// A devnet killed without its Ctrl-C (SIGKILL, a closed terminal) leaves its parts running, holding the
// ports. The next start finds them in the previous devnet.json and stops them, but only processes that
// are still the parts it started (checked by their command line), never an unrelated process that
// happens to have the same id now.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const PART_COMMANDS = [/hardhat.* node /, /relayer\/main\.ts/, /api\/main\.ts/, /devnet\/tron\/main\.ts/, /redis-server/];

/** Stops what a previous, killed devnet left running; returns the names of the parts it stopped. */
export async function stopLeftovers(dataDir: string): Promise<string[]> {
  const file = join(dataDir, "devnet.json");
  if (!existsSync(file)) return [];
  let processes: Record<string, number>;
  try {
    processes = (JSON.parse(readFileSync(file, "utf8")) as { processes?: Record<string, number> }).processes ?? {};
  } catch {
    return [];
  }
  const devnetPid = processes.devnet;
  if (devnetPid !== undefined && devnetPid !== process.pid && alive(devnetPid) && /devnet\/main\.ts/.test(commandLine(devnetPid) ?? "")) {
    throw new Error(`a devnet is already running from ${dataDir} (process ${devnetPid}): stop it with Ctrl-C first, or give another --data-dir and ports`);
  }
  const stopped: string[] = [];
  for (const [name, pid] of Object.entries(processes)) {
    if (name === "devnet") continue;
    const cmd = commandLine(pid);
    if (cmd === null || !PART_COMMANDS.some((pattern) => pattern.test(cmd))) continue;
    try {
      process.kill(-pid, "SIGTERM"); // its process group: the part and whatever it started
    } catch {
      process.kill(pid, "SIGTERM");
    }
    stopped.push(name);
  }
  const deadline = Date.now() + 10_000;
  for (const [name, pid] of Object.entries(processes)) {
    if (!stopped.includes(name)) continue;
    while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
  return stopped;
}
