// `npm run relayer -- --config relayer.json` (or `bttb relayer --config …`): runs one relayer node until
// SIGTERM or SIGINT, then stops cleanly (the tick under way finishes; nothing is left half-written).
import { parseArgs } from "node:util";
import { pino } from "pino";
import { loadRelayerConfig } from "./config.ts";
import { RelayerNode } from "./node.ts";

export const RELAYER_USAGE = "usage: npm run relayer -- --config <relayer.json>   (or: bttb relayer --config <relayer.json>)";

/** Starts the node a configuration file describes; it stops on SIGTERM or SIGINT and the process exits. */
export async function runRelayer(configPath: string, env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadRelayerConfig(configPath);
  const log = pino({ name: `relayer-${config.id}` });
  const node = new RelayerNode({ config, env, log });
  await node.start();
  const stop = (signal: string) => {
    log.info({ signal }, "stopping");
    node.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: "string" }, help: { type: "boolean" } } });
  if (values.help || !values.config) {
    console.log(RELAYER_USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  await runRelayer(values.config, process.env);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
