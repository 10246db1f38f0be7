// `npm run tron:refund -- --config <relayer.json> --deposit <txid> [--chain tron]`: refunds one TRON
// deposit that was not swapped (see tron-refund.ts), signed with the deposit account's key that the
// configuration's `depositKey` names. Prints the refund as JSON; exits 1 with the reason if refused, 2 if
// the configuration has no TRON chain to refund on (or not the one named). `bttb refund` runs this.
import { parseArgs } from "node:util";
import { ConfigError } from "../../common/schema.ts";
import { loadRelayerConfig, tronSwapRoute } from "../config.ts";
import { refundDeposit } from "./tron-refund.ts";

const USAGE = "usage: npm run tron:refund -- --config <relayer.json> --deposit <TRON tx id> [--chain <tron chain name>]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: "string" }, deposit: { type: "string" }, chain: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help || !values.config || !values.deposit) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const config = loadRelayerConfig(values.config);
  let route;
  try {
    route = tronSwapRoute(config, values.chain, values.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 2;
    return;
  }
  const { chain, swapTo } = route;
  const result = await refundDeposit({ chain, swapTo, env: process.env, depositTxId: values.deposit });
  console.log(JSON.stringify({ ...result, refundBlock: result.refundBlock.toString(), amount: result.amount.toString() }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
