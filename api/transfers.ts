// Transfers as the API shows them: the followed relayer node's records (common/records) merged with what
// the chains say (./status: the delivery the API saw on the destination, who signed it, why it waits):
// one by id, the history of an address (cursor-paginated, newest first), those of a source transaction.
import { z } from "zod";
import { TransferKind } from "../common/transfer.ts";
import type { TransferRecordReader } from "../common/records/reader.ts";
import { TRANSFER_STATUSES, type TransferRecord } from "../common/records/transfer-record.ts";
import type { ChainRegistry } from "./chains/registry.ts";
import { ApiError } from "./errors.ts";
import type { StatusFacts, StatusFactsReader } from "./status/facts.ts";
import { mergeStatus } from "./status/merge.ts";
import { WAITING_ACTIONS, WAITING_REASONS, waitingOf } from "./status/waiting.ts";
import { tokenPairSchema } from "./tokens.ts";

/** Statuses after which nothing changes any more (a rejected deposit is refunded by an operator). */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(["completed", "dropped", "rejected"]);

const timelineEntrySchema = z.object({
  status: z.enum(TRANSFER_STATUSES),
  at: z.string().meta({ description: "ISO 8601 time" }),
  txHash: z.string().nullable(),
  detail: z.string().nullable(),
});

const attestationSchema = z
  .object({
    signatures: z.number().int().meta({ description: "k: valid signatures known (the delivery's, else the batch the node signed)" }),
    threshold: z.number().int().nullable().meta({ description: "The destination's threshold now (null: the chain did not answer)" }),
    validators: z.number().int().nullable().meta({ description: "M: the destination's validator set size now" }),
    signers: z.array(z.string()).meta({ description: "Checksummed signer addresses, ascending (empty: not known)" }),
  })
  .nullable()
  .meta({ description: "Once a threshold of signatures is known, from the node's record or the delivery's calldata" });

const deliverySchema = z
  .object({
    txHash: z.string(),
    blockNumber: z.string().nullable(),
    final: z.boolean(),
  })
  .nullable()
  .meta({ description: "The destination transaction that delivered it, whoever sent it" });

const waitingSchema = z
  .object({
    reason: z.enum(WAITING_REASONS),
    message: z.string().meta({ description: "Why, and what the user can do" }),
    until: z.string().nullable().meta({ description: "ISO 8601: when it can go on, where known (the daily limit)" }),
    actions: z.array(z.enum(WAITING_ACTIONS)).meta({ description: "What a page may offer now" }),
  })
  .nullable()
  .meta({ description: "Why it waits; null when completed or dropped" });

const claimableSchema = z
  .object({ chain: z.string(), recipient: z.string(), amount: z.string() })
  .nullable()
  .meta({ description: "A deferred BTTC payout to claim (GET /v1/claims/:address builds the claim)" });

export const transferViewSchema = z
  .object({
    id: z.string(),
    status: z.enum(TRANSFER_STATUSES),
    kind: z.enum(["bridge", "swap"]),
    source: z.object({
      chain: z.string().nullable(),
      chainId: z.string(),
      gateway: z.string().meta({ description: "Source gateway (TRON: deposit account), 32 bytes" }),
      ref: z.string().meta({ description: "Sequence number (EVM) or transaction id (TRON), 32 bytes" }),
      txHash: z.string(),
      blockNumber: z.string(),
      sender: z.string(),
    }),
    destination: z.object({ chain: z.string().nullable(), chainId: z.string(), recipient: z.string() }),
    amount: z.string().meta({ description: "What the recipient receives, in BTT wei" }),
    fee: z.string().meta({ description: "Bridge fee kept at the source, in BTT wei" }),
    legacyAmount: z.string().nullable().meta({ description: "Swaps: BTTOLD taken in, in its base units" }),
    signatures: z.number().int().nullable().meta({ description: "Attestation signatures collected, once attested" }),
    timeline: z.array(timelineEntrySchema),
    updatedAt: z.string(),
    attestation: attestationSchema,
    delivery: deliverySchema,
    waiting: waitingSchema,
    claimable: claimableSchema,
    tokens: tokenPairSchema.nullable().meta({ description: "The tokens of `sent` and `amount` (null: a chain not configured here)" }),
  })
  .meta({ id: "Transfer" });

export type TransferView = z.infer<typeof transferViewSchema>;

export function toView(record: TransferRecord, chains: ChainRegistry, facts: StatusFacts, now = Date.now()): TransferView {
  const o = record.observed;
  const t = o.transfer;
  const merged = mergeStatus(record, facts);
  const destination = chains.nameOf(t.dstChainId) ?? `chain ${t.dstChainId}`;
  const rejection = [...record.timeline].reverse().find((e) => e.status === "rejected")?.detail ?? null;
  const d = facts.delivery;
  return {
    id: o.id,
    status: merged.status,
    kind: t.kind === TransferKind.Swap ? "swap" : "bridge",
    source: {
      chain: chains.nameOf(t.srcChainId),
      chainId: t.srcChainId.toString(),
      gateway: t.srcGateway,
      ref: t.srcRef,
      txHash: o.srcTxHash,
      blockNumber: o.blockNumber.toString(),
      sender: o.sender,
    },
    destination: { chain: chains.nameOf(t.dstChainId), chainId: t.dstChainId.toString(), recipient: t.recipient },
    amount: t.amount.toString(),
    fee: o.fee.toString(),
    legacyAmount: o.legacyAmount === undefined ? null : o.legacyAmount.toString(),
    signatures: merged.signatures,
    timeline: merged.timeline.map((e) => ({
      status: e.status,
      at: new Date(e.at).toISOString(),
      txHash: e.txHash ?? null,
      detail: e.detail ?? null,
    })),
    updatedAt: new Date(Math.max(record.updatedAt, ...merged.timeline.map((e) => e.at))).toISOString(),
    attestation: merged.attestation,
    // Final by the chain's rule as the API read it, or as the node did (it completes only what is final).
    delivery: d
      ? {
          txHash: d.txHash,
          blockNumber: d.blockNumber === null ? null : d.blockNumber.toString(),
          final: d.final || merged.status === "completed",
        }
      : null,
    waiting: waitingOf(merged.status, facts, {
      amount: t.amount,
      destination,
      rejection,
      lastDetail: record.timeline.at(-1)?.detail ?? null,
      now,
    }),
    claimable:
      facts.claimable !== null && facts.claimable > 0n
        ? { chain: destination, recipient: t.recipient, amount: facts.claimable.toString() }
        : null,
    tokens: facts.tokens,
  };
}

export interface HistoryQuery {
  address?: string | undefined;
  srcTx?: string | undefined;
  chain?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface HistoryPage {
  transfers: TransferView[];
  nextCursor: string | null;
}

export class TransferReader {
  readonly records: TransferRecordReader;
  private readonly chains: ChainRegistry;
  private readonly facts: StatusFactsReader;

  constructor(records: TransferRecordReader, chains: ChainRegistry, facts: StatusFactsReader) {
    this.records = records;
    this.chains = chains;
    this.facts = facts;
  }

  /** A record as the API shows it: merged with what the chains say. */
  async view(record: TransferRecord): Promise<TransferView> {
    return toView(record, this.chains, await this.facts.read(record));
  }

  private views(records: readonly TransferRecord[]): Promise<TransferView[]> {
    return Promise.all(records.map((r) => this.view(r)));
  }

  async byId(id: string): Promise<TransferView> {
    const record = await fromStore(() => this.records.get(id));
    if (!record)
      throw new ApiError(
        "TRANSFER_NOT_FOUND",
        `no transfer ${id} (yet): a transfer shows once the relayer has seen its source transaction`,
      );
    return this.view(record);
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    const chainId = query.chain === undefined ? undefined : this.chains.get(query.chain).chainId;
    const keep = (r: TransferRecord | null): r is TransferRecord =>
      r !== null && (chainId === undefined || r.observed.transfer.srcChainId === chainId || r.observed.transfer.dstChainId === chainId);

    if (query.srcTx !== undefined) {
      if (query.cursor !== undefined) throw new ApiError("INVALID_CURSOR", "a lookup by source transaction has one page only");
      const ids = await fromStore(() => this.records.idsBySourceTx(normalizeTxHash(query.srcTx!)));
      const records = (await fromStore(() => this.records.getManyWithTimelines(ids))).filter(keep);
      records.sort((a, b) => firstSeen(b) - firstSeen(a) || (a.observed.id < b.observed.id ? 1 : -1));
      return { transfers: await this.views(records), nextCursor: null };
    }
    if (query.address === undefined) {
      throw new ApiError("MISSING_FILTER", "name an address (address=) or a source transaction (srcTx=)");
    }
    // With a chain filter a page may need several reads; each read takes what is left, up to 10 rounds.
    let after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const found: TransferRecord[] = [];
    for (let round = 0; round < 10 && found.length < query.limit; round++) {
      const want = query.limit - found.length;
      const asked = chainId === undefined ? want : want * 4;
      const position = after;
      const rows = await fromStore(() => this.records.pageByAddress(query.address!, position, asked));
      const records = await fromStore(() => this.records.getManyWithTimelines(rows.map((r) => r.id)));
      let consumedAll = true;
      for (const [i, record] of records.entries()) {
        after = rows[i]!;
        if (keep(record)) found.push(record);
        if (found.length === query.limit) {
          consumedAll = i === records.length - 1;
          break;
        }
      }
      if (consumedAll && rows.length < asked) return { transfers: await this.views(found), nextCursor: null }; // nothing older
    }
    return { transfers: await this.views(found), nextCursor: after ? encodeCursor(after) : null };
  }
}

/** A store read; Redis failing is the server's trouble (503), not the caller's. */
async function fromStore<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (cause) {
    throw new ApiError("STORE_UNAVAILABLE", "the relayer node's store (Redis) did not answer; try again shortly", { cause });
  }
}

function firstSeen(r: TransferRecord): number {
  return r.timeline[0]?.at ?? r.updatedAt;
}

/** TRON transaction ids come without 0x; the store keeps every source hash with it, in lower case. */
export function normalizeTxHash(hash: string): string {
  const h = hash.toLowerCase();
  return /^[0-9a-f]{64}$/.test(h) ? `0x${h}` : h;
}

export function encodeCursor(position: { at: number; id: string }): string {
  return Buffer.from(`${position.at}:${position.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { at: number; id: string } {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^(\d{1,16}):(0x[0-9a-f]{64})$/.exec(text);
  if (!match) throw new ApiError("INVALID_CURSOR", "the cursor is not one this API gave out");
  return { at: Number(match[1]), id: match[2]! };
}
