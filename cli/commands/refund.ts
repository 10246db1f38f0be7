// `bttb refund --deposit <TRON tx id> [--config relayer.json]`: the operator sends a rejected TRON deposit
// back to its sender, once (the chain, not Redis, says whether it was refunded already). On the devnet the
// operator is relayer n1, whose configuration holds the deposit key.
import { parseArgs } from "node:util";
import { ConfigError } from "../../common/schema.ts";
import { loadRelayerConfig, tronSwapRoute } from "../../relayer/config.ts";
import { refundDeposit } from "../../relayer/operator/tron-refund.ts";
import type { CliContext } from "../context.ts";
import { UsageError } from "../errors.ts";

export async function refundCommand(ctx: CliContext, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { deposit: { type: "string" }, config: { type: "string" }, chain: { type: "string" } },
    strict: true,
  });
  if (!values.deposit) throw new UsageError("bttb refund needs --deposit <TRON transaction id>");
  const configPath = values.config ?? ctx.devnet?.relayers[0]?.config;
  if (!configPath) throw new UsageError("bttb refund needs --config <relayer.json> of the node holding the deposit key");
  const config = loadRelayerConfig(configPath);
  let route;
  try {
    route = tronSwapRoute(config, values.chain, configPath);
  } catch (error) {
    throw error instanceof ConfigError ? new UsageError(error.message) : error;
  }
  const { chain, swapTo } = route;
  const result = await refundDeposit({ chain, swapTo, env, depositTxId: values.deposit });
  const json = { ...result, refundBlock: result.refundBlock.toString(), amount: result.amount.toString() };
  ctx.out(
    ctx.json
      ? JSON.stringify(json)
      : Object.entries(json)
          .map(([k, v]) => `${k.padEnd(14)} ${String(v)}`)
          .join("\n"),
  );
  return 0;
}
