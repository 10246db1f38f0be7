// A transfer's status as the bridge has it: the followed node's record merged with what the chains say
// (./facts.ts). The furthest-along truth wins — a delivery on the destination is `submitted` at once and
// `completed` once its block is final, whoever sent it, even if the followed node has not seen it — and
// the timeline gains the `attested`, `submitted` and `completed` entries the node never wrote, with
// times and hashes, in time order. A delivery a reorg removed before it was final is no longer among
// the facts, so the view falls back to what the record says.
import type { TimelineEntry, TransferRecord, TransferStatus } from "../../common/records/transfer-record.ts";
import type { StatusFacts } from "./facts.ts";

const RANK: Record<TransferStatus, number> = {
  pending: 0,
  dropped: 0,
  rejected: 0,
  finalized: 1,
  delayed: 1,
  attested: 2,
  submitted: 3,
  completed: 4,
};

export interface Attestation {
  signatures: number;
  threshold: number | null;
  validators: number | null;
  signers: string[];
}

export interface MergedStatus {
  status: TransferStatus;
  timeline: TimelineEntry[];
  attestation: Attestation | null;
  signatures: number | null;
}

export function mergeStatus(record: TransferRecord, facts: StatusFacts): MergedStatus {
  const d = facts.delivery;
  let status = record.status;
  const chainStatus: TransferStatus | null = d?.fromChain ? (d.final ? "completed" : "submitted") : null;
  if (chainStatus && RANK[chainStatus] > RANK[status]) status = chainStatus;

  const attestation = attestationOf(record, facts);
  const timeline = [...record.timeline];
  if (d?.fromChain) {
    // Block times have a second's resolution (and the node may have seen the source final after another
    // node delivered it): the chain's entries come no earlier than the record's entries before `attested`.
    const before = record.timeline.filter((e) => RANK[e.status] < RANK.attested).map((e) => e.at);
    const at = Math.max(d.minedAt ?? record.updatedAt, ...before);
    if (attestation && !timeline.some((e) => e.status === "attested")) {
      timeline.push({ status: "attested", at, detail: `${describe(attestation)} (read from the delivery)` });
    }
    if (!timeline.some((e) => e.status === "submitted" && e.txHash === d.txHash)) {
      timeline.push({ status: "submitted", at, txHash: d.txHash, detail: `delivered in block ${d.blockNumber} (seen on the destination)` });
    }
    if (d.final && !timeline.some((e) => e.status === "completed")) {
      const seen = d.finalSeenAt ?? Date.now();
      timeline.push({ status: "completed", at: Math.max(seen, at), txHash: d.txHash, detail: `block ${d.blockNumber} is final` });
    }
  }
  // By time; entries of one time keep their order (attested before submitted before completed).
  timeline.sort((a, b) => a.at - b.at);
  return { status, timeline, attestation, signatures: attestation?.signatures ?? signaturesInRecord(record) };
}

/** Who attested: the delivery's own signatures if it was read from the chain, else the batch the node stored. */
function attestationOf(record: TransferRecord, facts: StatusFacts): Attestation | null {
  const signers = facts.delivery?.signers ?? facts.stored?.signers ?? null;
  const base = { threshold: facts.threshold, validators: facts.validators?.length ?? null };
  if (signers !== null) return { signatures: signers.length, signers, ...base };
  const k = signaturesInRecord(record);
  return k === null ? null : { signatures: k, signers: [], ...base };
}

/** `N signatures` of the record's last `attested` entry (what nodes wrote before they stored batches). */
function signaturesInRecord(record: TransferRecord): number | null {
  let signatures: number | null = null;
  for (const entry of record.timeline) {
    const match = entry.status === "attested" ? /^(\d+) signatures?/.exec(entry.detail ?? "") : null;
    if (match) signatures = Number(match[1]);
  }
  return signatures;
}

export function describe(a: Attestation): string {
  const of = a.validators === null ? "" : ` of ${a.validators}`;
  return `${a.signatures}${of} validators signed${a.signers.length > 0 ? `: ${a.signers.join(", ")}` : ""}`;
}
