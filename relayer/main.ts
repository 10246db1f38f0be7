// `npm run relayer -- --config relayer.json` (or `bttb relayer --config …`): runs one relayer node until
// SIGTERM or SIGINT, then stops cleanly (the tick under way finishes; nothing is left half-written).
// `--roles watch,http` runs only those parts of the node (see config `roles`): one node may run as
// several processes on one Redis, all with the same configuration file.
import { parseArgs } from "node:util";
import { pino } from "pino";
import { loadRelayerConfig, NODE_ROLES, rolesSchema } from "./config.ts";
import { parseWith } from "../common/schema.ts";
import { RelayerNode } from "./node.ts";
import { stopOnSignals } from "../common/process.ts";

export const RELAYER_USAGE = `usage: npm run relayer -- --config <relayer.json> [--roles ${NODE_ROLES.join(",")}]   (or: bttb relayer --config <relayer.json>)`;

/** Starts the node a configuration file describes; it stops on SIGTERM or SIGINT and the process exits. */
export async function runRelayer(configPath: string, env: NodeJS.ProcessEnv, roles?: string): Promise<void> {
  const config = loadRelayerConfig(configPath);
  if (roles !== undefined)
    config.roles = parseWith(
      rolesSchema,
      roles.split(",").map((r) => r.trim()),
      "--roles",
    );
  const log = pino({ name: `relayer-${config.id}` });
  const node = new RelayerNode({ config, env, log });
  await node.start();
  stopOnSignals(log, () => node.stop());
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: "string" }, roles: { type: "string" }, help: { type: "boolean" } } });
  if (values.help || !values.config) {
    console.log(RELAYER_USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  await runRelayer(values.config, process.env, values.roles);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
