// `bttb watchtower --config <watchtower.json>`: runs the watchtower (docs/operations.md, "Watchtower") as
// its own process, its entry point `watchtower/main.ts`, as `bttb relayer` runs a relayer node: cli/
// imports nothing of it. It runs until SIGTERM or Ctrl-C (passed on to it); its exit code is ours.
import { parseArgs } from "node:util";
import { UsageError } from "../errors.ts";
import { runEntryPoint } from "../entry-point.ts";

/** The watchtower's entry point (`npm run watchtower`). */
const WATCHTOWER_MAIN = new URL("../../watchtower/main.ts", import.meta.url);

export async function watchtowerCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { config: { type: "string" } }, strict: true });
  if (!values.config) throw new UsageError("bttb watchtower needs --config <watchtower.json> (the devnet writes .devnet/watchtower.json)");
  return (await runEntryPoint(WATCHTOWER_MAIN, ["--config", values.config], env)).code;
}
