// Why a transfer waits, until when (where that can be known), and what the user can do about it now.
import type { TransferStatus } from "../../common/records/transfer-record.ts";
import type { StatusFacts } from "./facts.ts";

export const WAITING_REASONS = [
  "source_finality",
  "attestation",
  "delivery",
  "destination_finality",
  "daily_limit",
  "stuck",
  "rejected",
] as const;
export const WAITING_ACTIONS = ["deliver_yourself", "claim", "refund"] as const;

export interface Waiting {
  reason: (typeof WAITING_REASONS)[number];
  message: string;
  until: string | null;
  actions: (typeof WAITING_ACTIONS)[number][];
}

/** The gateways' daily limit keeps amounts in units of 10^9 wei, a payout rounded up (DailyLimit.sol). */
const LIMIT_UNIT = 10n ** 9n;
const REFILL_SECONDS = 86_400n;
const UNLIMITED = (1n << 256n) - 1n;

/**
 * When the destination's daily limit lets `amount` through, by its token bucket (docs/protocol.md,
 * "Daily limit"): it refills at `cap` per 24 hours, continuously, up to `cap`. Null when the amount
 * fits now, or never fits (over the cap itself), or there is no limit. Counts this transfer alone: others
 * waiting before it take their share first, so this is the earliest time.
 */
export function dailyLimitUntil(
  amount: bigint,
  cap: bigint,
  available: bigint,
  now: number,
): { at: number | null; overCap: boolean } | null {
  if (cap === UNLIMITED) return null;
  const units = amount / LIMIT_UNIT + (amount % LIMIT_UNIT === 0n ? 0n : 1n);
  const capUnits = cap / LIMIT_UNIT;
  const availableUnits = available / LIMIT_UNIT;
  if (units <= availableUnits) return null;
  if (units > capUnits || capUnits === 0n) return { at: null, overCap: true };
  const missing = units - availableUnits;
  const seconds = (missing * REFILL_SECONDS + capUnits - 1n) / capUnits; // rounded up
  return { at: now + Number(seconds) * 1000, overCap: false };
}

export function waitingOf(
  status: TransferStatus,
  facts: StatusFacts,
  context: { amount: bigint; destination: string; rejection: string | null; lastDetail: string | null; now: number },
): Waiting | null {
  const deliverYourself: Waiting["actions"] = facts.deliverable ? ["deliver_yourself"] : [];
  if (status === "completed" || status === "dropped") return null;
  if (status === "rejected") {
    return {
      reason: "rejected",
      message: `the source transaction cannot be delivered (${context.rejection ?? "see the timeline"}); an operator refunds it to its sender`,
      until: null,
      actions: ["refund"],
    };
  }
  if (facts.stuck !== null && status !== "submitted") {
    return {
      reason: "stuck",
      message: `the relayers have set it aside: ${facts.stuck}. An operator looks into it${facts.deliverable ? "; you can also deliver it yourself with the signatures held" : ""}`,
      until: null,
      actions: deliverYourself,
    };
  }
  switch (status) {
    case "pending":
      return { reason: "source_finality", message: "waiting for the source block to be final", until: null, actions: [] };
    case "finalized":
      // Signatures held from an earlier try (its delivery failed or was refused, e.g. a peer's delivery
      // still pending): saying "collecting signatures" would hide that the user can deliver it now.
      if (facts.deliverable) {
        return {
          reason: "delivery",
          message: `signed by a threshold of validators; the relayers are trying the delivery to ${context.destination} again, or you can deliver it yourself`,
          until: null,
          actions: deliverYourself,
        };
      }
      return {
        reason: "attestation",
        message: "final at its source; the relayers are collecting the validators' signatures",
        until: null,
        actions: deliverYourself,
      };
    case "attested":
      return {
        reason: "delivery",
        message: `signed by a threshold of validators; a relayer is sending the delivery to ${context.destination}`,
        until: null,
        actions: deliverYourself,
      };
    case "submitted":
      if (facts.delivery && !facts.delivery.final) {
        return {
          reason: "destination_finality",
          message: `delivered in block ${facts.delivery.blockNumber} of ${context.destination}; waiting for that block to be final`,
          until: null,
          actions: [],
        };
      }
      return {
        reason: "delivery",
        message: `the delivery is sent to ${context.destination}; waiting for it to be mined`,
        until: null,
        actions: deliverYourself,
      };
    case "delayed": {
      const limit = facts.dailyLimit
        ? dailyLimitUntil(context.amount, facts.dailyLimit.cap, facts.dailyLimit.available, context.now)
        : null;
      if (limit?.overCap) {
        return {
          reason: "daily_limit",
          message: `the amount is over ${context.destination}'s whole daily limit: it waits until the limit is raised`,
          until: null,
          actions: [],
        };
      }
      if (limit) {
        return {
          reason: "daily_limit",
          // No amounts that move with the clock here: a stream emits when the message changes.
          message: `${context.destination}'s daily payout limit does not hold the amount now; it refills continuously (its cap per 24 hours), and the transfer goes through once it does`,
          until: new Date(limit.at!).toISOString(),
          actions: [],
        };
      }
      if (facts.reserve !== null && facts.reserve < context.amount) {
        return {
          reason: "delivery",
          message: `the redenomination reserve on ${context.destination} holds ${facts.reserve} wei, less than the payout; it waits until the reserve is refilled`,
          until: null,
          actions: [],
        };
      }
      return {
        reason: "delivery",
        message: `not delivered to ${context.destination} yet${context.lastDetail ? ` (${context.lastDetail})` : ""}; the relayers try again shortly`,
        until: null,
        actions: deliverYourself,
      };
    }
    default:
      return null;
  }
}
