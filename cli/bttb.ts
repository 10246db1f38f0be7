// `bttb`: the bridge from the command line (`npm run bttb -- <command>`). Users' commands go through
// the HTTP API, as a front end's would; keys stay in this process. `bttb --help` lists everything.
import { createContext, type GlobalFlags } from "./context.ts";
import { UsageError, exitStatusOf } from "./errors.ts";
import { messageOf } from "../common/errors.ts";
import { runEntryPoint } from "./entry-point.ts";
import { moveCommand } from "./commands/move.ts";
import { refundCommand } from "./commands/refund.ts";
import { watchtowerCommand } from "./commands/watchtower.ts";
import { invariantCommand, transferCommand, transfersCommand } from "./commands/show.ts";

export const HELP = `bttb — BTT Bridge command line

usage: npm run bttb -- <command> [options]

Run a part of the bridge
  devnet                         the whole local testnet (same as npm start; options: npm start -- --help)
  relayer --config <file> [--roles watch,deliver,http]  one relayer node (or one process of one)
  api --config <file>            the HTTP API
  watchtower --config <file>     the watchtower: checks every delivery against its source, pauses on fraud

Move BTT (signed here with your key, sent through the API)
  swap --from tron|ethereum|bsc --amount <BTTOLD> [--recipient 0x…] [--follow]
                                 swap legacy BTTOLD for BTT on BTTC at 1 : 1,000
  bridge --from <chain> --to <chain> --amount <BTT> [--recipient 0x…] [--follow]
                                 bridge BTT between bttc, ethereum and bsc

Follow transfers
  transfer <id | source tx hash> [--follow]   one transfer, its timeline; --follow: live until final
  transfers [--address a] [--chain c] [--limit n] [--cursor c]   history, newest first
  invariant                      locked = minted + in flight, reserve paid = 1,000 × BTTOLD swapped
                                 (exit status 1 when it does not hold)

Operators
  refund --deposit <TRON tx id> [--config <relayer.json>]  send a rejected TRON deposit back to its
                                 sender, once (default config: the devnet's n1, which holds the deposit key)

Options for every command
  --account <i>      sign with devnet demo account i (else the key in BTTB_PRIVATE_KEY)
  --api <url>        the API (default: the devnet's, else BTTB_API_URL, else http://127.0.0.1:8080)
  --rpc <name=url>   a chain's RPC endpoint (default: the devnet's); repeatable
  --devnet <file>    the devnet's description (default .devnet/devnet.json)
  --base-units       amounts in base units (wei, BTTOLD units) instead of tokens, in and out
  --json             machine-readable output
  --help             this text

Amounts are exact: typed and printed as decimal strings with every digit (BTT has 18 decimals).`;

/** The relayer's entry point (`npm run relayer`), which `bttb relayer` runs. */
const RELAYER_MAIN = new URL("../relayer/main.ts", import.meta.url);

/** Splits the options every command shares from the command's own arguments. */
export function splitGlobal(argv: readonly string[]): {
  flags: GlobalFlags & { help?: boolean };
  command: string | undefined;
  rest: string[];
} {
  const flags: GlobalFlags & { help?: boolean } = {};
  const rest: string[] = [];
  let command: string | undefined;
  const takesValue = new Set(["--api", "--devnet", "--rpc", "--account"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] =
      arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (takesValue.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      const key = name.slice(2) as "api" | "devnet" | "rpc" | "account";
      if (key === "rpc") (flags.rpc ??= []).push(value);
      else flags[key] = value;
    } else if (arg === "--base-units") flags["base-units"] = true;
    else if (arg === "--json") flags.json = true;
    else if (arg === "--help" || arg === "-h") flags.help = true;
    else if (command === undefined && !arg.startsWith("-")) command = arg;
    else rest.push(arg);
  }
  return { flags, command, rest };
}

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const { flags, command, rest } = splitGlobal(argv);
  if (flags.help || !command) {
    out(HELP);
    return command || flags.help ? 0 : 2;
  }
  switch (command) {
    case "devnet": {
      const { runDevnet, reportStartFailure } = await import("../devnet/main.ts");
      await runDevnet(rest, env).catch(reportStartFailure);
      return -1; // runs until Ctrl-C
    }
    case "watchtower":
      return watchtowerCommand(rest, env);
    case "relayer":
    case "api": {
      const config = rest.includes("--config") ? rest[rest.indexOf("--config") + 1] : undefined;
      if (!config) throw new UsageError(`bttb ${command} needs --config <${command}.json>`);
      const roles = rest.includes("--roles") ? rest[rest.indexOf("--roles") + 1] : undefined;
      // The relayer runs as its own process (its entry point), until SIGTERM or Ctrl-C; its exit code is ours.
      if (command === "relayer")
        return (await runEntryPoint(RELAYER_MAIN, ["--config", config, ...(roles === undefined ? [] : ["--roles", roles])], env)).code;
      await (await import("../api/main.ts")).runApi(config, { logLevel: env.LOG_LEVEL });
      return -1; // runs until SIGTERM or Ctrl-C
    }
  }
  const ctx = createContext(flags, env, out);
  switch (command) {
    case "swap":
      return moveCommand(ctx, "swap", rest);
    case "bridge":
      return moveCommand(ctx, "bridge", rest);
    case "transfer":
      return transferCommand(ctx, rest);
    case "transfers":
      return transfersCommand(ctx, rest);
    case "invariant":
      return invariantCommand(ctx);
    case "refund":
      return refundCommand(ctx, rest, env);
    default:
      throw new UsageError(`unknown command "${command}" (bttb --help lists them)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.slice(2), process.env, (line) => console.log(line)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`bttb: ${messageOf(error)}`);
      process.exitCode = exitStatusOf(error);
    },
  );
}
