// `bttb swap` and `bttb bridge`: ask the API for a quote and the transactions, sign them here, send them
// through the API, then show (or follow) the transfer they started.
import { parseArgs } from "node:util";
import { Contract, JsonRpcProvider } from "ethers";
import { BTT_DECIMALS, parseBaseUnits, parseTokenAmount, showAmount } from "../amounts.ts";
import { endpointOf, type CliContext } from "../context.ts";
import { UsageError } from "../errors.ts";
import { sendSteps, senderOf, type Built } from "../send.ts";
import { describeTransfer, findBySourceTx, follow } from "../transfers.ts";

interface ChainInfo {
  name: string;
  family: "evm" | "tron";
  legacyToken: string | null;
}

/** TRC-10 BTTOLD has 6 decimals; an EVM legacy token's are read from the devnet file or the chain. */
async function legacyDecimals(ctx: CliContext, chain: string): Promise<number> {
  if (chain === "tron") return 6;
  const known = ctx.devnet?.chains[chain]?.legacyDecimals;
  if (known !== undefined) return known;
  const { chains } = await ctx.api.get<{ chains: ChainInfo[] }>("/v1/chains");
  const token = chains.find((c) => c.name === chain)?.legacyToken;
  if (!token) throw new UsageError(`${chain} has no legacy BTTOLD to swap`, "NO_LEGACY_TOKEN");
  const provider = new JsonRpcProvider(endpointOf(ctx, chain));
  try {
    return Number(await new Contract(token, ["function decimals() view returns (uint8)"], provider).getFunction("decimals")());
  } finally {
    provider.destroy();
  }
}

export async function moveCommand(ctx: CliContext, kind: "swap" | "bridge", args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: "string" },
      to: { type: "string" },
      amount: { type: "string" },
      recipient: { type: "string" },
      follow: { type: "boolean" },
    },
    strict: true,
  });
  if (!values.from || !values.amount) throw new UsageError(`bttb ${kind} needs --from and --amount (see bttb --help)`);
  const from = values.from;
  const to = kind === "swap" ? "bttc" : values.to;
  if (!to) throw new UsageError("bttb bridge needs --to");
  const family = from === "tron" ? "tron" : "evm";
  const decimals = kind === "swap" ? await legacyDecimals(ctx, from) : BTT_DECIMALS;
  const amount = ctx.baseUnits ? parseBaseUnits(values.amount, "--amount") : parseTokenAmount(values.amount, decimals, "--amount");
  const sender = senderOf(ctx, family);
  const recipient = values.recipient ?? senderOf(ctx, "evm");

  const path = kind === "swap" ? "/v1/swaps" : "/v1/bridge";
  const body =
    kind === "swap" ? { from, amount: amount.toString(), sender, recipient } : { from, to, amount: amount.toString(), sender, recipient };
  const built = await ctx.api.post<Built>(path, body);
  // The amount was read with these decimals; the API converts with the token's own. They must agree.
  if (kind === "swap" && !ctx.baseUnits && built.quote.legacyDecimals !== null && built.quote.legacyDecimals !== decimals) {
    throw new UsageError(
      `${from}'s BTTOLD has ${built.quote.legacyDecimals} decimals, not ${decimals}: check --devnet / --rpc, or give --base-units`,
      "DECIMALS_MISMATCH",
    );
  }
  const symbolIn = kind === "swap" ? "BTTOLD" : "BTT";
  ctx.out(
    `${kind} ${showAmount(amount, decimals, symbolIn, ctx.baseUnits)} on ${from} → ` +
      `${showAmount(built.quote.amountOut, BTT_DECIMALS, "BTT", ctx.baseUnits, "wei")} on ${to} for ${recipient}` +
      (built.quote.fee !== "0" ? ` (fee ${showAmount(built.quote.fee, BTT_DECIMALS, "BTT", ctx.baseUnits, "wei")})` : "") +
      `, expected in ~${built.quote.expectedSeconds} s${built.quote.delayedBy ? ` (will wait: ${built.quote.delayedBy})` : ""}`,
  );
  const txHash = await sendSteps(ctx, from, built);
  const transfer = await findBySourceTx(ctx, txHash);
  if (!values.follow) {
    if (ctx.json) ctx.out(JSON.stringify(transfer));
    else for (const line of describeTransfer(ctx, transfer)) ctx.out(line);
    return 0;
  }
  ctx.out(`transfer ${transfer.id}`);
  const status = await follow(ctx, transfer.id);
  if (ctx.json) ctx.out(JSON.stringify(await ctx.api.get(`/v1/transfers/${transfer.id}`)));
  return status === "completed" ? 0 : 1;
}
