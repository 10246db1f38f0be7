// `bttb transfer <id | source tx hash> [--follow]`, `bttb transfers [--address] [--chain]`, and
// `bttb invariant`: reading what the bridge knows, through the API.
import { parseArgs } from "node:util";
import { BTT_DECIMALS, showAmount } from "../amounts.ts";
import type { CliContext } from "../context.ts";
import { ApiCallError, UsageError } from "../errors.ts";
import { describeTransfer, follow, FINAL, type TransferView } from "../transfers.ts";

export async function transferCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { follow: { type: "boolean" } }, allowPositionals: true, strict: true });
  const ref = positionals[0];
  if (!ref) throw new UsageError("bttb transfer needs a transfer id or a source transaction hash");
  let transfer: TransferView;
  try {
    transfer = await ctx.api.get<TransferView>(`/v1/transfers/${ref}`);
  } catch (error) {
    // Not a transfer id (a TRON transaction id has no 0x), or no such transfer: try it as a source tx.
    if (!(error instanceof ApiCallError) || (error.status !== 404 && error.apiCode !== "INVALID_TRANSFER_ID")) throw error;
    const { transfers } = await ctx.api.get<{ transfers: TransferView[] }>("/v1/transfers", { srcTx: ref });
    if (transfers.length === 0) throw new UsageError(`no transfer with id or source transaction ${ref}`, "TRANSFER_NOT_FOUND");
    transfer = transfers[0]!;
  }
  if (values.follow && !FINAL.has(transfer.status)) {
    ctx.out(`transfer ${transfer.id}`);
    const status = await follow(ctx, transfer.id);
    return status === "completed" ? 0 : 1;
  }
  if (ctx.json) ctx.out(JSON.stringify(transfer));
  else for (const line of describeTransfer(ctx, transfer)) ctx.out(line);
  return 0;
}

export async function transfersCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { address: { type: "string" }, chain: { type: "string" }, cursor: { type: "string" }, limit: { type: "string" } },
    strict: true,
  });
  const page = await ctx.api.get<{ transfers: TransferView[]; nextCursor: string | null }>("/v1/transfers", {
    address: values.address,
    chain: values.chain,
    cursor: values.cursor,
    limit: values.limit,
  });
  if (ctx.json) {
    ctx.out(JSON.stringify(page));
    return 0;
  }
  for (const t of page.transfers) {
    ctx.out(
      `${t.id}  ${t.status.padEnd(9)} ${t.kind.padEnd(6)} ${(t.source.chain ?? t.source.chainId).padEnd(8)} → ${(t.destination.chain ?? t.destination.chainId).padEnd(8)} ` +
        showAmount(t.amount, BTT_DECIMALS, "BTT", ctx.baseUnits, "wei") +
        (t.tokens ? ` (${t.tokens.received.standard} on ${t.tokens.received.chain})` : ""),
    );
  }
  if (page.transfers.length === 0) ctx.out("no transfers");
  if (page.nextCursor) ctx.out(`more: --cursor ${page.nextCursor}`);
  return 0;
}

interface Stats {
  chains: {
    chain: string;
    role: string;
    locked: string | null;
    minted: string | null;
    swapped: string;
    feesHeld: string;
    reserveBalance: string | null;
    inFlight: { bridge: string; swap: string; transfers: number };
  }[];
  invariant: {
    holds: boolean;
    /** `surplus`: BTT forced into the BTTC gateway, beyond what bridging locked (absent from older APIs). */
    bridge: { locked: string; minted: string; inFlight: string; surplus?: string; holds: boolean };
    swap: { reservePaid: string; owedByEvmSources: string; evmInFlight: string; paidForOtherSources: string; holds: boolean };
  };
}

export async function invariantCommand(ctx: CliContext): Promise<number> {
  const stats = await ctx.api.get<Stats>("/v1/stats");
  if (ctx.json) {
    ctx.out(JSON.stringify(stats));
    return stats.invariant.holds ? 0 : 1;
  }
  const btt = (v: string | null) => (v === null ? "-" : showAmount(v, BTT_DECIMALS, "BTT", ctx.baseUnits, "wei"));
  for (const c of stats.chains) {
    ctx.out(
      `${c.chain.padEnd(9)} ${c.role.padEnd(7)} locked ${btt(c.locked)}  minted ${btt(c.minted)}  swapped ${btt(c.swapped)}  ` +
        `fees ${btt(c.feesHeld)}  in flight ${btt(c.inFlight.bridge)} + swaps ${btt(c.inFlight.swap)} (${c.inFlight.transfers} transfers)`,
    );
  }
  const b = stats.invariant.bridge;
  const s = stats.invariant.swap;
  // A surplus (BTT forced in without a transfer) is shown apart and is no violation; a deficit is one.
  const surplus = BigInt(b.surplus ?? "0");
  const shownSurplus = surplus > 0n ? ` (surplus ${btt(b.surplus!)}, forced in without a transfer: not a violation)` : "";
  ctx.out(
    `bridge: locked ${btt(b.locked)} ${b.holds ? ">=" : "<"} minted ${btt(b.minted)} + in flight ${btt(b.inFlight)}${shownSurplus}: ${b.holds ? "holds" : "BROKEN (deficit)"}`,
  );
  ctx.out(
    `swaps:  reserve paid ${btt(s.reservePaid)} (EVM sources owed ${btt(s.owedByEvmSources)}, in flight ${btt(s.evmInFlight)}, other sources ${btt(s.paidForOtherSources)}): ${s.holds ? "holds" : "BROKEN"}`,
  );
  ctx.out(stats.invariant.holds ? "the accounting invariant holds" : "THE ACCOUNTING INVARIANT DOES NOT HOLD");
  return stats.invariant.holds ? 0 : 1;
}
