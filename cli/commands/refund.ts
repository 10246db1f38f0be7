// `bttb refund --deposit <TRON tx id> [--config relayer.json]`: the operator sends a rejected TRON deposit
// back to its sender, once (the chain, not Redis, says whether it was refunded already). On the devnet the
// operator is relayer n1, whose configuration holds the deposit key. The refund needs the relayer's TRON
// source, so it runs the relayer's own operator command (`npm run tron:refund`) as a child process.
import { parseArgs } from "node:util";
import type { CliContext } from "../context.ts";
import { CliError, UsageError } from "../errors.ts";
import { runEntryPoint } from "../entry-point.ts";

/** The relayer's operator command that refunds one deposit; it prints the refund as JSON. */
const TRON_REFUND = new URL("../../relayer/operator/tron-refund-cli.ts", import.meta.url);

export async function refundCommand(ctx: CliContext, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { deposit: { type: "string" }, config: { type: "string" }, chain: { type: "string" } },
    strict: true,
  });
  if (!values.deposit) throw new UsageError("bttb refund needs --deposit <TRON transaction id>");
  const configPath = values.config ?? ctx.devnet?.relayers[0]?.config;
  if (!configPath) throw new UsageError("bttb refund needs --config <relayer.json> of the node holding the deposit key");
  const chain = values.chain === undefined ? [] : ["--chain", values.chain];
  const run = await runEntryPoint(TRON_REFUND, ["--config", configPath, "--deposit", values.deposit, ...chain], env, { capture: true });
  // Exit 2: the configuration has no TRON chain (or not that one) to refund on — the caller's mistake.
  const why = run.stderr.trim() || run.stdout.trim() || `the refund exited with code ${run.code}`;
  if (run.code === 2) throw new UsageError(why);
  if (run.code !== 0) throw new CliError("OPERATOR_COMMAND_FAILED", why);
  // What the refund printed besides its result (warnings) is shown, not lost.
  if (run.stderr.trim()) process.stderr.write(run.stderr);
  const json = lastJsonObject(run.stdout);
  ctx.out(
    ctx.json
      ? JSON.stringify(json)
      : Object.entries(json)
          .map(([k, v]) => `${k.padEnd(14)} ${String(v)}`)
          .join("\n"),
  );
  return 0;
}

/** The refund's result: the JSON object that ends its output (a library may print before it). */
function lastJsonObject(stdout: string): Record<string, unknown> {
  const at = stdout.lastIndexOf("\n{"); // the result's opening brace, at the start of a line
  const start = at >= 0 ? at + 1 : stdout.startsWith("{") ? 0 : -1;
  try {
    if (start < 0) throw new SyntaxError("no JSON object");
    return JSON.parse(stdout.slice(start)) as Record<string, unknown>;
  } catch {
    throw new CliError("OPERATOR_COMMAND_FAILED", `the refund printed no result: ${stdout.trim() || "(nothing)"}`);
  }
}
