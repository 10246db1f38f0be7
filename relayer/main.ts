// `npm run relayer -- --config relayer.json`: runs one relayer node until SIGTERM or SIGINT, then stops
// cleanly (the tick under way finishes; nothing is left half-written).
import { parseArgs } from "node:util";
import { pino } from "pino";
import { loadRelayerConfig } from "./config.ts";
import { RelayerNode } from "./node.ts";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: "string" }, help: { type: "boolean" } } });
  if (values.help || !values.config) {
    console.log("usage: npm run relayer -- --config <relayer.json>");
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const config = loadRelayerConfig(values.config);
  const log = pino({ name: `relayer-${config.id}` });
  const node = new RelayerNode({ config, env: process.env, log });
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

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
