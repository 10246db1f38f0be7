// The devnet's options: flags (`npm start -- --api-port 8081`) over environment variables over the
// defaults of docs/operations.md, "Devnet". Parsed once by one schema; a bad value stops start-up naming the flag.
import { parseArgs } from "node:util";
import { z } from "zod";
import { DevnetError } from "./errors.ts";

const port = z.coerce.number().int().min(1).max(65_535);

const OptionsSchema = z.object({
  host: z.string().min(1).default("127.0.0.1"),
  bttcPort: port.default(8547),
  ethereumPort: port.default(8545),
  bscPort: port.default(8546),
  tronPort: port.default(9090),
  apiPort: port.default(8080),
  /** The web app (web/dist and its config.json). */
  webPort: port.default(3000),
  /** Relayer nodes n1, n2, n3 listen on this port and the next two. */
  relayerPort: port.default(7001),
  blockTimeMs: z.coerce.number().int().min(100).max(60_000).default(1_000),
  redisUrl: z.string().optional(),
  /** Where the devnet writes its addresses, configs and logs. */
  dataDir: z.string().min(1).default(".devnet"),
  /** Every Redis key of the devnet starts with this; it is wiped at start (the chains start empty). */
  redisPrefix: z
    .string()
    .regex(/^[\w:-]+:$/, "letters, digits, '-', '_' and ':', ending in ':'")
    .default("bttb-devnet:"),
  help: z.boolean().default(false),
});

export type DevnetOptions = z.infer<typeof OptionsSchema>;

const FLAGS: Record<Exclude<keyof DevnetOptions, "help">, { flag: string; env: string; help: string }> = {
  host: { flag: "host", env: "DEVNET_HOST", help: "interface every part listens on" },
  bttcPort: { flag: "bttc-port", env: "DEVNET_BTTC_PORT", help: "BTTC JSON-RPC port" },
  ethereumPort: { flag: "ethereum-port", env: "DEVNET_ETHEREUM_PORT", help: "Ethereum JSON-RPC port" },
  bscPort: { flag: "bsc-port", env: "DEVNET_BSC_PORT", help: "BNB Chain JSON-RPC port" },
  tronPort: { flag: "tron-port", env: "DEVNET_TRON_PORT", help: "TRON development node HTTP port" },
  apiPort: { flag: "api-port", env: "DEVNET_API_PORT", help: "HTTP API port" },
  webPort: { flag: "web-port", env: "DEVNET_WEB_PORT", help: "web app port" },
  relayerPort: { flag: "relayer-port", env: "DEVNET_RELAYER_PORT", help: "first relayer node's port (n1; n2, n3 follow)" },
  blockTimeMs: { flag: "block-time-ms", env: "DEVNET_BLOCK_TIME_MS", help: "milliseconds between blocks on every chain" },
  redisUrl: { flag: "redis-url", env: "REDIS_URL", help: "Redis to use (else 127.0.0.1:6379, else its own redis-server)" },
  dataDir: { flag: "data-dir", env: "DEVNET_DATA_DIR", help: "folder for addresses, configs and logs" },
  redisPrefix: { flag: "redis-prefix", env: "DEVNET_REDIS_PREFIX", help: "prefix of every Redis key the devnet writes" },
};

const DEFAULTS = OptionsSchema.parse({});

export const USAGE = [
  "usage: npm start [-- options]   (the whole local testnet: three EVM chains, TRON, contracts, relayers, API)",
  "",
  ...Object.entries(FLAGS).map(([key, o]) => {
    const fallback = DEFAULTS[key as keyof DevnetOptions];
    return `  --${o.flag.padEnd(15)} ${o.help}${fallback !== undefined ? ` (${String(fallback)})` : ""}; env ${o.env}`;
  }),
  "  --help            this text",
].join("\n");

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DevnetOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...Object.fromEntries(Object.values(FLAGS).map((o) => [o.flag, { type: "string" as const }])),
      help: { type: "boolean" },
    },
    strict: true,
  });
  const raw: Record<string, unknown> = { help: values.help ?? false };
  for (const [key, o] of Object.entries(FLAGS)) {
    const value = (values as Record<string, string | boolean | undefined>)[o.flag] ?? env[o.env];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const parsed = OptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as keyof typeof FLAGS;
      const o = FLAGS[key];
      return `  ${o ? `--${o.flag} (${o.env})` : key}: ${issue.message}`;
    });
    throw new DevnetError("OPTIONS_INVALID", `invalid devnet options:\n${problems.join("\n")}`);
  }
  return parsed.data;
}
