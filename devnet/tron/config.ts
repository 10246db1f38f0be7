// The node's configuration, read once at start-up from command-line flags and environment variables
// (a flag wins over its variable) and checked by one schema: a missing value takes its default, a
// present but invalid one stops start-up with a message naming the flag and the variable.
import { parseArgs } from "node:util";
import { z } from "zod";
import { BTTOLD_TOKEN } from "./asset.ts";
import { DEFAULT_ACCOUNT_COUNT, HARDHAT_MNEMONIC, SUN_PER_TRX } from "./genesis.ts";
import { INT64_MAX } from "./int64.ts";
import { DEFAULT_BLOCK_INTERVAL_MS, DEFAULT_PORT, DEFAULT_SOLIDITY_DEPTH } from "./node.ts";
import { BridgeError, messageOf } from "../../common/errors.ts";

/** Whole tokens (TRX, BTTOLD) given as a decimal integer, as base units. */
const wholeUnits = (fallback: string, unitsPerToken: bigint) =>
  z
    .string()
    .default(fallback)
    .refine((value) => /^\d+$/.test(value), "must be a whole number of tokens")
    .transform((value) => BigInt(value) * unitsPerToken)
    .refine((units) => units <= INT64_MAX, "is too large for int64 base units");

const ConfigSchema = z.object({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORT),
  blockIntervalMs: z.coerce.number().int().min(1).max(3_600_000).default(DEFAULT_BLOCK_INTERVAL_MS),
  mining: z.enum(["interval", "manual"]).default("interval"),
  solidityDepth: z.coerce.number().int().min(0).max(100_000).default(DEFAULT_SOLIDITY_DEPTH),
  genesis: z.string().min(1).optional(),
  mnemonic: z.string().min(1).default(HARDHAT_MNEMONIC),
  accounts: z.coerce.number().int().min(0).max(1000).default(DEFAULT_ACCOUNT_COUNT),
  accountTrx: wholeUnits("1000000", SUN_PER_TRX),
  accountBttold: wholeUnits("1000000000", 10n ** BigInt(BTTOLD_TOKEN.precision)),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type TronDevNodeConfig = z.infer<typeof ConfigSchema>;
type Key = keyof z.input<typeof ConfigSchema>;

const OPTIONS: Record<Key, { flag: string; env: string; help: string }> = {
  host: { flag: "host", env: "TRON_DEVNET_HOST", help: "interface to listen on (127.0.0.1)" },
  port: { flag: "port", env: "TRON_DEVNET_PORT", help: `HTTP port, 0 for any free one (${DEFAULT_PORT})` },
  blockIntervalMs: {
    flag: "block-interval-ms",
    env: "TRON_DEVNET_BLOCK_INTERVAL_MS",
    help: `milliseconds between blocks (${DEFAULT_BLOCK_INTERVAL_MS}, TRON's 3 s)`,
  },
  mining: { flag: "mining", env: "TRON_DEVNET_MINING", help: "interval | manual (interval)" },
  solidityDepth: {
    flag: "solidity-depth",
    env: "TRON_DEVNET_SOLIDITY_DEPTH",
    help: `blocks the solidified block lags the head (${DEFAULT_SOLIDITY_DEPTH})`,
  },
  genesis: { flag: "genesis", env: "TRON_DEVNET_GENESIS", help: "genesis JSON file, replacing the accounts below" },
  mnemonic: { flag: "mnemonic", env: "TRON_DEVNET_MNEMONIC", help: "mnemonic of the funded accounts (Hardhat's)" },
  accounts: { flag: "accounts", env: "TRON_DEVNET_ACCOUNTS", help: "how many accounts to fund (20)" },
  accountTrx: { flag: "account-trx", env: "TRON_DEVNET_ACCOUNT_TRX", help: "TRX per account (1000000)" },
  accountBttold: {
    flag: "account-bttold",
    env: "TRON_DEVNET_ACCOUNT_BTTOLD",
    help: "BTTOLD (TRC-10 1002000) per account (1000000000)",
  },
  logLevel: { flag: "log-level", env: "TRON_DEVNET_LOG_LEVEL", help: "fatal … trace, or silent (info)" },
};

export const USAGE = [
  "Usage: node devnet/tron/main.ts [options]",
  "",
  "A TRON development node serving java-tron's HTTP API for TRX and TRC-10 transfers.",
  "",
  ...Object.values(OPTIONS).map(({ flag, env, help }) => `  --${flag.padEnd(20)} ${env.padEnd(30)} ${help}`),
  `  --${"help".padEnd(20)} ${"".padEnd(30)} this text`,
].join("\n");

/** The TRON node's flags, environment or genesis file are invalid: it prints the message and exits with status 2. */
export class TronNodeConfigError extends BridgeError<"CONFIG_INVALID"> {
  constructor(message: string) {
    super("CONFIG_INVALID", message);
  }
}

/** Parses flags and environment once; `undefined` when `--help` was asked for. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): TronDevNodeConfig | undefined {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        help: { type: "boolean" },
        ...Object.fromEntries(Object.values(OPTIONS).map(({ flag }) => [flag, { type: "string" as const }])),
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new TronNodeConfigError(`${messageOf(error)}\n\n${USAGE}`);
  }
  if (values.help === true) return undefined;

  const raw: Partial<Record<Key, string>> = {};
  for (const [key, { flag, env: variable }] of Object.entries(OPTIONS) as [Key, (typeof OPTIONS)[Key]][]) {
    const value = values[flag] ?? env[variable];
    if (typeof value === "string" && value !== "") raw[key] = value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const option = OPTIONS[issue.path[0] as Key] as (typeof OPTIONS)[Key] | undefined;
      const name = option ? `--${option.flag} (${option.env})` : issue.path.join(".");
      return `  ${name}: ${issue.message}`;
    });
    throw new TronNodeConfigError(`invalid configuration:\n${problems.join("\n")}`);
  }
  return parsed.data;
}
