// Long-running entry points (relayer node, API, TRON development node) stop the same way: on SIGTERM,
// SIGINT or SIGHUP they log it, close what they run, and exit 0 — or 1 when closing failed, so a
// supervisor sees it. A signal that comes while stopping (a Ctrl-C that reached the process both from
// the terminal and through `bttb`) does not cut the stop short.
import type { Logger } from "pino";

/** Closes with `stop` on the first SIGTERM/SIGINT/SIGHUP, then exits. */
export function stopOnSignals(log: Logger, stop: () => Promise<unknown>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.info({ signal }, "already stopping");
      return;
    }
    stopping = true;
    log.info({ signal }, "stopping");
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "stop failed");
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, onSignal);
}
