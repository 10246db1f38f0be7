// Before anything starts: every port the devnet will listen on must be free, or it says which one is
// taken and how to choose another, instead of failing half-way with EADDRINUSE from one of its parts.
import { createServer } from "node:net";
import { DevnetError } from "./errors.ts";

export interface PortClaim {
  port: number;
  what: string;
  flag: string;
}

export function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Throws, naming each port in use and the flag that moves it. `graceMs`: how long to keep looking before
 * that (a port a just-stopped process held can take a moment to be released).
 */
export async function assertPortsFree(host: string, claims: readonly PortClaim[], graceMs = 0): Promise<void> {
  const seen = new Map<number, string>();
  for (const claim of claims) {
    const other = seen.get(claim.port);
    if (other) throw new DevnetError("PORT_CLAIMED_TWICE", `port ${claim.port} is given to both ${other} and ${claim.what}`);
    seen.set(claim.port, claim.what);
  }
  const deadline = Date.now() + graceMs;
  for (;;) {
    const taken: string[] = [];
    for (const claim of claims) {
      if (!(await isFree(host, claim.port))) {
        taken.push(`  ${host}:${claim.port} (${claim.what}) is in use: stop what runs there, or choose another with ${claim.flag}`);
      }
    }
    if (taken.length === 0) return;
    if (Date.now() >= deadline) throw new DevnetError("PORTS_IN_USE", `ports in use:\n${taken.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
