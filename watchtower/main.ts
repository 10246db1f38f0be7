// `npm run watchtower -- --config watchtower.json` (or `bttb watchtower --config …`): runs the watchtower
// until SIGTERM or SIGINT (docs/operations.md, "Watchtower"), with GET /health and GET /metrics on its
// configured port.
import { parseArgs } from "node:util";
import { pino } from "pino";
import { stopOnSignals } from "../common/process.ts";
import { loadWatchtowerConfig } from "./config.ts";
import { startHttp } from "./http.ts";
import { Watchtower } from "./watchtower.ts";

export const WATCHTOWER_USAGE =
  "usage: npm run watchtower -- --config <watchtower.json>   (or: bttb watchtower --config <watchtower.json>)";

export async function runWatchtower(configPath: string, env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadWatchtowerConfig(configPath);
  const log = pino({ name: "watchtower", level: env.LOG_LEVEL ?? "info" });
  const watchtower = new Watchtower({ config, log });
  await watchtower.start();
  const http = await startHttp(watchtower, config.http.host, config.http.port);
  log.info({ url: http.url }, "watchtower listening (/health, /metrics)");
  stopOnSignals(log, async () => {
    await http.close();
    await watchtower.stop();
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: "string" }, help: { type: "boolean" } } });
  if (values.help || !values.config) {
    console.log(WATCHTOWER_USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  await runWatchtower(values.config, process.env);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
