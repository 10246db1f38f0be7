// `npm run api -- --config api.json`: the HTTP API as a process. Reads the configuration (and nothing
// else from the environment), connects to the followed node's Redis, listens, and stops cleanly on
// SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { pino } from "pino";
import { loadApiConfig } from "./config.ts";
import { buildApi } from "./server.ts";

const { values } = parseArgs({ options: { config: { type: "string" } } });
if (!values.config) {
  console.error("usage: npm run api -- --config <api.json>");
  process.exit(2);
}

const log = pino({ level: process.env.LOG_LEVEL ?? "info" });
const config = loadApiConfig(values.config);
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
redis.on("error", (error) => log.warn({ err: error }, "redis"));
const app = await buildApi(config, { redis, logger: log, processMetrics: true });
await app.listen({ host: config.host, port: config.port });
log.info({ url: `http://${config.host}:${config.port}`, docs: `http://${config.host}:${config.port}/docs` }, "API listening");

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    void app
      .close()
      .then(() => redis.quit())
      .then(() => process.exit(0), () => process.exit(1));
  });
}
