// Showing transfers: one line per fact, amounts in BTT (or base units), and following one live over
// the API's server-sent events until it reaches a final status.
import { showAmount, BTT_DECIMALS } from "./amounts.ts";
import type { CliContext } from "./context.ts";
import { CliError } from "./errors.ts";

export interface TransferView {
  id: string;
  status: string;
  kind: "bridge" | "swap";
  source: { chain: string | null; chainId: string; txHash: string; sender: string };
  destination: { chain: string | null; chainId: string; recipient: string };
  amount: string;
  fee: string;
  legacyAmount: string | null;
  signatures: number | null;
  timeline: { status: string; at: string; txHash: string | null; detail: string | null }[];
}

export const FINAL = new Set(["completed", "dropped", "rejected"]);

export function describeTransfer(ctx: CliContext, t: TransferView): string[] {
  const from = t.source.chain ?? `chain ${t.source.chainId}`;
  const to = t.destination.chain ?? `chain ${t.destination.chainId}`;
  const lines = [
    `transfer ${t.id}`,
    `  status     ${t.status}`,
    `  ${t.kind.padEnd(10)} ${from} → ${to}`,
    `  amount     ${showAmount(t.amount, BTT_DECIMALS, "BTT", ctx.baseUnits, "wei")}${t.fee !== "0" ? ` (fee ${showAmount(t.fee, BTT_DECIMALS, "BTT", ctx.baseUnits, "wei")})` : ""}`,
  ];
  if (t.legacyAmount !== null) lines.push(`  BTTOLD in  ${t.legacyAmount} base units`);
  lines.push(`  sender     ${t.source.sender}`, `  recipient  ${t.destination.recipient}`, `  source tx  ${t.source.txHash}`);
  if (t.signatures !== null) lines.push(`  signatures ${t.signatures}`);
  for (const e of t.timeline) lines.push(`  ${e.at}  ${e.status.padEnd(9)} ${e.txHash ?? ""}${e.detail ? ` ${e.detail}` : ""}`.trimEnd());
  return lines;
}

/** Waits until the API knows the transfer of `srcTx` (the relayer sees it at the source's head). */
export async function findBySourceTx(ctx: CliContext, srcTx: string, timeoutMs = 60_000): Promise<TransferView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { transfers } = await ctx.api.get<{ transfers: TransferView[] }>("/v1/transfers", { srcTx });
    if (transfers.length > 0) return transfers[0]!;
    if (Date.now() > deadline)
      throw new CliError("TIMEOUT", `no transfer from ${srcTx} after ${timeoutMs / 1000} s: is a relayer node watching its chain?`, {
        retryable: true,
      });
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Prints each status change until the transfer is final; returns its last status. A stream cut before
 * that (the API restarted, a proxy timed out) is opened again, and says where it stands.
 */
export async function follow(ctx: CliContext, id: string, attempts = 5): Promise<string> {
  let status = "";
  let shown = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      let index = 0;
      for await (const { event, data } of ctx.api.events<
        { status?: string; entry?: { at: string; txHash: string | null; detail: string | null } } & Partial<TransferView>
      >(`/v1/transfers/${id}/events`)) {
        if (event === "transfer" && data.status) {
          status = data.status;
          // On a reconnection, the first event carries the whole timeline: show only what is new.
          for (const entry of (data.timeline ?? []).slice(shown))
            if (!ctx.json) ctx.out(line(entry.at, entry.status, entry.txHash, entry.detail));
          shown = index = data.timeline?.length ?? 0;
          if (!ctx.json && shown === 0) ctx.out(`  ${status}`);
        } else if (event === "status" && data.status && data.entry) {
          status = data.status;
          index++;
          if (index > shown) {
            shown = index;
            if (!ctx.json) ctx.out(line(data.entry.at, status, data.entry.txHash, data.entry.detail));
          }
        } else if (event === "end") {
          return status;
        }
      }
    } catch (error) {
      if (attempt === attempts - 1) throw error;
    }
    if (FINAL.has(status)) return status;
    if (!ctx.json) ctx.out(`  (the event stream closed while ${status || "waiting"}; following again)`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return status;
}

function line(at: string, status: string, txHash: string | null, detail: string | null): string {
  return `  ${at}  ${status.padEnd(9)} ${txHash ?? ""}${detail ? ` ${detail}` : ""}`.trimEnd();
}
