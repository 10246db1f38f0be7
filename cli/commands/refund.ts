// `bttb refund --deposit <TRON tx id> [--config relayer.json]`: the operator sends a rejected TRON deposit
// back to its sender, once (the chain, not Redis, says whether it was refunded already). On the devnet the
// operator is relayer n1, whose configuration holds the deposit key. The refund needs the relayer's TRON
// source, so it runs the relayer's own operator command (`npm run tron:refund`) as a child process.
import { parseArgs } from "node:util";
import type { CliContext } from "../context.ts";
import { UsageError } from "../errors.ts";
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
  if (run.code !== 0) throw new Error(why);
  const json = JSON.parse(run.stdout) as Record<string, unknown>;
  ctx.out(
    ctx.json
      ? JSON.stringify(json)
      : Object.entries(json)
          .map(([k, v]) => `${k.padEnd(14)} ${String(v)}`)
          .join("\n"),
  );
  return 0;
}
