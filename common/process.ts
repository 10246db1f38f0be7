// Long-running entry points (relayer node, API, TRON development node) stop the same way: on SIGTERM or
// SIGINT they log it, close what they run, and exit 0 — or 1 when closing failed, so a supervisor sees it.
import type { Logger } from "pino";

/** Closes with `stop` on the first SIGTERM/SIGINT, then exits. */
export function stopOnSignals(log: Logger, stop: () => Promise<unknown>): void {
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, "stopping");
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
