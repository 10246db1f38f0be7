// The one atomic write of a transfer's status: a Lua script that moves a record along the lifecycle of
// spec §4 (only from the statuses it may be entered from, so a stale or repeated update never moves it
// backwards) and keeps the indexes (status, ready, progress, bySrcTx, byAddress) in step with it.
import type { ClientContext, Redis, Result } from "ioredis";
import type { ObservedTransfer } from "../../common/observed-transfer.ts";
import { encodeObserved } from "../../common/records/codec.ts";
import { READY_STATUSES, type TimelineEntry, type TransferStatus } from "../../common/records/transfer-record.ts";
import { RECORD_INDEX_SEGMENTS, type NodeKeys } from "../../common/redis-keys.ts";
import { routeKey } from "../../common/routes.ts";

/** From which statuses each status may be entered. */
const ENTERED_FROM: Record<TransferStatus, readonly TransferStatus[]> = {
  pending: ["dropped"], // seen again at the head after a reorg had removed it
  finalized: ["pending", "dropped", "attested", "submitted", "delayed"], // attested/submitted/delayed: retry
  attested: ["finalized", "delayed", "submitted"],
  submitted: ["attested", "finalized", "delayed"],
  completed: ["pending", "finalized", "attested", "submitted", "delayed"],
  dropped: ["pending"],
  rejected: ["pending", "finalized"],
  delayed: ["finalized", "attested", "submitted"],
};

export interface TransitionDetails {
  at?: number;
  txHash?: string;
  detail?: string;
  /** For a ready status (finalized, delayed): not to be tried before this time (ms; default: now). */
  readyAt?: number;
  /** Only from these statuses (default: every status the lifecycle allows it from). */
  from?: readonly TransferStatus[];
  /** A completion of this node's own delivery: not a sign, for this node as a fallback deliverer, that
   * another node is at work on the route (so `progress:<route>` is left as it is). */
  ownDelivery?: boolean;
  /** For a ready status: a transfer already in it stays there, tried again at `readyAt`, with the
   * timeline entry recorded all the same (a failed or refused try, and when the next one is). */
  again?: boolean;
}

export interface TransitionResult {
  changed: boolean;
  /** The status before (null: the transfer was new). */
  previous: TransferStatus | null;
}

/** A transition's details as the script takes them: the time fixed, the record for a transfer seen at its source. */
export type TransitionInput = TransitionDetails & { at: number; record?: ObservedTransfer };

// An index key inside the script: the prefix (ARGV[1]) and the segment NodeKeys names it by.
const index = (segment: keyof typeof RECORD_INDEX_SEGMENTS) => `ARGV[1] .. '${RECORD_INDEX_SEGMENTS[segment]}:'`;

// KEYS: 1 record hash, 2 timeline list. ARGV: 1 prefix, 2 id, 3 new status, 4 allowed-from (comma
// separated, "" for none), 5 timeline entry JSON, 6 now (ms), 7 record JSON ("" to keep it), 8 srcTx,
// 9 sender, 10 recipient, 11 route ("" to keep it), 12 when a ready transfer may be tried (ms; "" for
// now), 13 "1" for a completion of this node's own delivery, 14 "1" to try a transfer already ready again
// at ARGV[12]. The ready index mirrors READY_STATUSES, scored by that time; `progress:<route>` holds the
// last time a transfer on the route completed by another node's delivery (a fallback deliverer reads it:
// is the route moving?) — not one this node had submitted itself, whichever record of it comes first.
const TRANSITION_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'status')
local target = ARGV[3]
local ready = {${READY_STATUSES.map((status) => `${status} = true`).join(", ")}}
if current == target then
  if ARGV[14] == '1' and ready[target] and ARGV[12] ~= '' then
    redis.call('ZADD', ${index("ready")} .. redis.call('HGET', KEYS[1], 'route'), ARGV[12], ARGV[2])
    redis.call('HSET', KEYS[1], 'updatedAt', ARGV[6])
    redis.call('RPUSH', KEYS[2], ARGV[5])
    return {1, current}
  end
  return {0, current}
end
if current then
  if not string.find(',' .. ARGV[4] .. ',', ',' .. current .. ',', 1, true) then return {0, current} end
  redis.call('SREM', ${index("status")} .. current, ARGV[2])
elseif ARGV[7] == '' then
  return {0, false}
end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'record', ARGV[7], 'route', ARGV[11]) end
local route = redis.call('HGET', KEYS[1], 'route')
if current and ready[current] then redis.call('ZREM', ${index("ready")} .. route, ARGV[2]) end
if ready[target] then
  local readyAt = ARGV[12]
  if readyAt == nil or readyAt == '' then readyAt = ARGV[6] end
  redis.call('ZADD', ${index("ready")} .. route, readyAt, ARGV[2])
end
if target == 'completed' and route and ARGV[13] ~= '1' and current ~= 'submitted' then redis.call('SET', ${index("progress")} .. route, ARGV[6]) end
redis.call('HSET', KEYS[1], 'status', target, 'updatedAt', ARGV[6])
redis.call('SADD', ${index("status")} .. target, ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[5])
if not current then
  redis.call('SADD', ${index("bySrcTx")} .. ARGV[8], ARGV[2])
  redis.call('ZADD', ${index("byAddress")} .. ARGV[9], ARGV[6], ARGV[2])
  redis.call('ZADD', ${index("byAddress")} .. ARGV[10], ARGV[6], ARGV[2])
end
return {1, current}
`;

/** Defines the `transition` command on `redis` (once per connection). */
export function defineTransition(redis: Redis): void {
  if (!redis.transition) redis.defineCommand("transition", { numberOfKeys: 2, lua: TRANSITION_SCRIPT });
}

/** The `transition` command's arguments for moving transfer `id` to `status`. */
export function transitionArgs(
  keys: NodeKeys,
  id: string,
  status: TransferStatus,
  details: TransitionInput,
): [string, string, ...string[]] {
  const entry: TimelineEntry = { status, at: details.at };
  if (details.txHash) entry.txHash = details.txHash;
  if (details.detail) entry.detail = details.detail;
  const record = details.record;
  return [
    keys.transfer(id),
    keys.timeline(id),
    keys.prefix,
    id,
    status,
    (details.from ?? ENTERED_FROM[status]).filter((s) => ENTERED_FROM[status].includes(s)).join(","),
    JSON.stringify(entry),
    String(details.at),
    record ? encodeObserved(record) : "",
    record ? record.srcTxHash.toLowerCase() : "",
    record ? record.sender.toLowerCase() : "",
    record ? record.transfer.recipient.toLowerCase() : "",
    record ? routeKey(record.transfer) : "",
    details.readyAt !== undefined ? String(details.readyAt) : "",
    details.ownDelivery ? "1" : "",
    details.again ? "1" : "",
  ];
}

/** The script's reply as a TransitionResult. */
export function toResult([changed, previous]: [number, string | null]): TransitionResult {
  return { changed: changed === 1, previous: (previous as TransferStatus | null) ?? null };
}

declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext = { type: "default" }> {
    transition(...args: [string, string, ...string[]]): Result<[number, string | null], Context>;
  }
}
