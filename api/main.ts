// `npm run api -- --config api.json` (or `bttb api --config …`): the HTTP API as a process. Reads its
// configuration file (its `logLevel` overridden by LOG_LEVEL, which only the entry points read from the
// environment), connects to the followed node's Redis, checks the chains agree with the configuration,
// listens, and stops cleanly on SIGINT/SIGTERM (open requests finish, event streams end).
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { pino } from "pino";
import { parseWith } from "../common/schema.ts";
import { loadApiConfig, logLevelSchema } from "./config.ts";
import { buildApi } from "./server.ts";
import { stopOnSignals } from "../common/process.ts";

export const API_USAGE = "usage: npm run api -- --config <api.json>   (or: bttb api --config <api.json>)";

/**
 * Starts the API a configuration file describes; it stops on SIGTERM or SIGINT and the process exits.
 * `logLevel` (from LOG_LEVEL, read by the caller) overrides the file's.
 */
export async function runApi(configPath: string, overrides: { logLevel?: string | undefined } = {}): Promise<void> {
  const config = loadApiConfig(configPath);
  if (overrides.logLevel !== undefined) config.logLevel = parseWith(logLevelSchema, overrides.logLevel, "LOG_LEVEL");
  const log = pino({ name: "api", level: config.logLevel });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  redis.on("error", (error) => log.warn({ err: error }, "redis"));
  const app = await buildApi(config, { redis, logger: log, processMetrics: true });
  await app.listen({ host: config.host, port: config.port });
  log.info({ url: `http://${config.host}:${config.port}`, docs: `http://${config.host}:${config.port}/docs` }, "API listening");
  stopOnSignals(log, () => app.close().then(() => redis.quit()));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: "string" }, help: { type: "boolean" } } });
  if (values.help || !values.config) {
    console.log(API_USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  await runApi(values.config, { logLevel: process.env.LOG_LEVEL });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
