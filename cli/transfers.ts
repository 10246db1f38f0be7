// Showing transfers: one line per fact, amounts in BTT (or base units), and following one live over
// the API's server-sent events until it reaches a final status.
import { showAmount, BTT_DECIMALS } from "./amounts.ts";
import type { CliContext } from "./context.ts";
import { CliError } from "./errors.ts";

interface Token {
  symbol: string;
  standard: string;
  tokenId: string | null;
  address: string | null;
  decimals: number;
  chain: string;
}

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
  /** Absent from APIs older than the merged status (docs/api.md, "Transfers"). */
  attestation?: { signatures: number; threshold: number | null; validators: number | null; signers: string[] } | null;
  delivery?: { txHash: string; blockNumber: string | null; final: boolean } | null;
  waiting?: { reason: string; message: string; until: string | null; actions: string[] } | null;
  claimable?: { chain: string; recipient: string; amount: string } | null;
  tokens?: { sent: Token; received: Token } | null;
}

export const FINAL = new Set(["completed", "dropped", "rejected"]);

/** A token by its name: "BTTOLD (TRC-10 1002000 on tron)", "BTT (ERC-20 0x… on ethereum)", "BTT (native on bttc)". */
export function tokenName(t: Token): string {
  const which = t.tokenId ?? t.address;
  return `${t.symbol} (${t.standard}${which ? ` ${which}` : ""} on ${t.chain})`;
}

function amountIn(ctx: CliContext, units: string | bigint, token: Token | undefined, fallbackSymbol: string): string {
  if (!token) return showAmount(units, BTT_DECIMALS, fallbackSymbol, ctx.baseUnits, "wei");
  return `${showAmount(units, token.decimals, token.symbol, ctx.baseUnits)} — ${tokenName(token)}`;
}

export function describeTransfer(ctx: CliContext, t: TransferView): string[] {
  const from = t.source.chain ?? `chain ${t.source.chainId}`;
  const to = t.destination.chain ?? `chain ${t.destination.chainId}`;
  const tokens = t.tokens ?? undefined;
  // What left the sender: BTTOLD for a swap, the amount and the fee for a bridge transfer.
  const sent = t.legacyAmount !== null ? BigInt(t.legacyAmount) : BigInt(t.amount) + BigInt(t.fee);
  const lines = [`transfer ${t.id}`, `  status     ${t.status}`, `  ${t.kind.padEnd(10)} ${from} → ${to}`];
  lines.push(`  sent       ${amountIn(ctx, sent, tokens?.sent, t.legacyAmount !== null ? "BTTOLD base units" : "BTT")}`);
  lines.push(
    `  received   ${amountIn(ctx, t.amount, tokens?.received, "BTT")}${t.fee !== "0" ? ` (fee ${showAmount(t.fee, BTT_DECIMALS, "BTT", ctx.baseUnits, "wei")})` : ""}`,
  );
  lines.push(`  sender     ${t.source.sender}`, `  recipient  ${t.destination.recipient}`, `  source tx  ${t.source.txHash}`);
  const a = t.attestation;
  if (a) {
    const of = a.validators === null ? "" : ` of ${a.validators}`;
    const needed = a.threshold === null ? "" : ` (${a.threshold} needed)`;
    lines.push(`  attested   ${a.signatures}${of} signatures${needed}${a.signers.length > 0 ? `: ${a.signers.join(", ")}` : ""}`);
  } else if (t.signatures !== null) {
    lines.push(`  signatures ${t.signatures}`);
  }
  if (t.delivery) {
    const block = t.delivery.blockNumber === null ? "" : ` in block ${t.delivery.blockNumber}`;
    lines.push(`  delivery   ${t.delivery.txHash}${block}${t.delivery.final ? ", final" : ", not final yet"}`);
  }
  if (t.waiting) {
    const until = t.waiting.until ? ` (until ${t.waiting.until})` : "";
    lines.push(`  waiting    ${t.waiting.reason}${until}: ${t.waiting.message}`);
    if (t.waiting.actions.includes("deliver_yourself"))
      lines.push(`             you can deliver it yourself: GET /v1/transfers/${t.id}/delivery`);
  }
  if (t.claimable)
    lines.push(
      `  claimable  ${showAmount(t.claimable.amount, BTT_DECIMALS, "BTT", ctx.baseUnits, "wei")} on ${t.claimable.chain} for ${t.claimable.recipient}`,
    );
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
        { status?: string; entry?: { at: string; status?: string; txHash: string | null; detail: string | null } } & Partial<TransferView>
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
          // The event carries the whole view: what is new is what lies past the entries shown.
          const timeline = data.timeline ?? [];
          if (timeline.length > 0) {
            for (const entry of timeline.slice(shown)) if (!ctx.json) ctx.out(line(entry.at, entry.status, entry.txHash, entry.detail));
            shown = Math.max(shown, timeline.length);
            continue;
          }
          index++;
          if (index > shown) {
            shown = index;
            if (!ctx.json) ctx.out(line(data.entry.at, data.entry.status ?? status, data.entry.txHash, data.entry.detail));
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
