// `npm run tron:refunds -- --config <relayer.json> [--from <block>] [--to <block>] [--open]`: lists, from
// the chain, the TRON deposits that are not swapped (see tron-deposits.ts), with the refund of each that
// has one, and those swapped after all (`swapped`, never refunded); `--open` only those still to refund.
// JSON on stdout.
import { parseArgs } from "node:util";
import { tronSourceFor } from "../chains/tron/configured.ts";
import { loadRelayerConfig, tronSwapRoute } from "../config.ts";
import { listRefundable } from "./tron-deposits.ts";

const USAGE = "usage: npm run tron:refunds -- --config <relayer.json> [--chain <name>] [--from <block>] [--to <block>] [--open]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: "string" },
      chain: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      open: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help || !values.config) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  for (const bound of [values.from, values.to])
    if (bound !== undefined && !/^\d+$/.test(bound)) throw new Error(`not a block number: ${bound}`);
  const { chain, swapTo } = tronSwapRoute(loadRelayerConfig(values.config), values.chain, values.config);
  const from = values.from !== undefined ? BigInt(values.from) : chain.startBlock;
  const list = await listRefundable(
    tronSourceFor(chain, swapTo.chainId),
    swapTo,
    from,
    values.to !== undefined ? BigInt(values.to) : undefined,
  );
  const shown = values.open ? list.filter((d) => d.refundTxId === undefined && !d.swapped) : list;
  console.log(JSON.stringify(shown, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
