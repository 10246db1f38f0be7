// Takes swapped BTTOLD out of circulation for good (docs/protocol.md, "Black-hole burns"): once a TRON swap is delivered on BTTC
// (`completed`), the BTTOLD it deposited is sent on from the deposit account to TRON's black-hole
// address, in batches, each transaction's memo naming the deposits it burns:
//
//   BURN:<deposit tx id>,<deposit tx id>,…      (64 hex digits each, no 0x)
//
// Only the node holding the deposit key runs this. It burns each deposit at most once, across restarts
// and a loss of its Redis data, because the chain says what was burned: before sending, it reads the
// deposit account's outgoing transactions up to the head for BURN memos. What it keeps in Redis only
// saves reading again: the block up to which (solidified) burns are read and the deposits seen burned
// there, the swaps still to burn (noted as they become final; rebuilt by the watcher's rescan), and the
// burn transaction in flight. That note goes only once the burn is in a solidified block, or provably
// never will be (the solidified head past its expiration, the burn in no block up to it); a burn in a
// block not solidified yet is waited for, and a read that fails or times out proves nothing, so the
// tick fails and the next one waits again — it never sends a second burn beside one that may still land.
// A deposit whose burn is seen only in a block not solidified yet stays on the to-burn list (not sent
// again) until that block is. A start with no stored scan (first start, or after a loss) waits
// `settleMs` — at least a transaction's lifetime, TronWeb's 60 s — first, so that a burn sent just
// before the loss, whose id went with the data, is in a block, or can never be, before the chain is read.
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { NodeKeys } from "../../../common/redis-keys.ts";
import type { ObservedTransfer } from "../adapter.ts";
import type { TransferStore } from "../../store/transfer-store.ts";
import { TronTxExpiredError, type DepositWallet } from "./deposit-wallet.ts";
import type { TronSource } from "./source.ts";

/** TRON's black hole: the account of 20 zero bytes, to which nobody holds a key. */
export const TRON_BLACK_HOLE = "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb";
export const BURN_MEMO_PREFIX = "BURN:";

/** Most units one TronWeb transaction can carry exactly (it takes amounts as JS numbers). */
const MAX_UNITS_PER_TX = BigInt(Number.MAX_SAFE_INTEGER);
/** Most blocks read per tick while catching up, so a tick stays short. */
const MAX_SCAN_BLOCKS = 10_000n;

export function burnMemo(depositTxIds: readonly string[]): string {
  return BURN_MEMO_PREFIX + depositTxIds.map((id) => id.replace(/^0x/, "").toLowerCase()).join(",");
}

/** The deposit transaction ids a burn memo names, or null if `memo` is not one. */
export function parseBurnMemo(memo: string): string[] | null {
  if (!memo.startsWith(BURN_MEMO_PREFIX)) return null;
  const ids = memo.slice(BURN_MEMO_PREFIX.length).split(",");
  return ids.every((id) => /^[0-9a-f]{64}$/.test(id)) ? ids : null;
}

export interface BurnForwarderOptions {
  source: TronSource;
  wallet: DepositWallet;
  store: TransferStore;
  redis: Redis;
  prefix: string;
  /** The TRON chain's name in the config. */
  chain: string;
  tokenId: string;
  startBlock: bigint;
  batchSize: number;
  settleMs: number;
  log: Logger;
}

export interface BurnTickResult {
  /** Deposits burned by this tick. */
  burned: string[];
  txId?: string;
}

interface InFlight {
  txId: string;
  expiration: string;
  deposits: string[];
}

export class BurnForwarder {
  private readonly o: BurnForwarderOptions;
  private readonly keys: { unburned: string; burned: string; scan: string; inflight: string };
  private settleUntil = 0;

  constructor(options: BurnForwarderOptions) {
    this.o = options;
    this.keys = new NodeKeys(options.prefix).tronBurn(options.chain);
  }

  /** Notes newly final swaps (the watcher's hand-on; idempotent): each is burned once completed. */
  async note(transfers: readonly ObservedTransfer[]): Promise<void> {
    const ids = transfers.filter((t) => !t.rejection && t.transfer.srcChainId === this.o.source.chainId).map((t) => t.id);
    if (ids.length > 0) await this.o.redis.sadd(this.keys.unburned, ...ids);
  }

  /** Ids of swaps noted and not burned yet (delivered or not). */
  async unburned(): Promise<string[]> {
    return this.o.redis.smembers(this.keys.unburned);
  }

  /** One round. `signal` (the node stopping) ends a wait for a burn's block early, with the burn kept in
   * flight for the next start to wait for. */
  async tick(signal?: AbortSignal): Promise<BurnTickResult> {
    const earlier = await this.o.redis.get(this.keys.inflight);
    if (earlier !== null) await this.settle(JSON.parse(earlier) as InFlight, signal);
    const seenAtHead = await this.readBurns();
    if (seenAtHead === null || Date.now() < this.settleUntil) return { burned: [] };

    const batch: { id: string; depositTx: string; units: bigint }[] = [];
    let total = 0n;
    for (const id of await this.unburned()) {
      if (batch.length >= this.o.batchSize) break;
      const record = await this.o.store.get(id);
      if (!record || record.status !== "completed") continue;
      const depositTx = record.observed.srcTxHash.replace(/^0x/, "").toLowerCase();
      if ((await this.o.redis.sismember(this.keys.burned, depositTx)) === 1) {
        await this.o.redis.srem(this.keys.unburned, id);
        continue;
      }
      // Burned in a block not solidified yet: not sent again, and kept until that block is (if it goes,
      // the burn may come back in another block, or expire; a later tick sees which).
      if (seenAtHead.has(depositTx)) continue;
      const units = record.observed.legacyAmount ?? 0n;
      if (units <= 0n) continue;
      if (total + units > MAX_UNITS_PER_TX) {
        if (batch.length === 0)
          this.o.log.error({ id, units: units.toString() }, "a deposit too large to burn in one TRON transaction: burn it by hand");
        continue;
      }
      batch.push({ id, depositTx, units });
      total += units;
    }
    if (batch.length === 0) return { burned: [] };

    const deposits = batch.map((b) => b.depositTx);
    let inflight: InFlight | undefined;
    let sent: Awaited<ReturnType<typeof this.o.wallet.send>>;
    try {
      sent = await this.o.wallet.send(
        { asset: "TRC10", token: this.o.tokenId, to: TRON_BLACK_HOLE, amount: total, memo: burnMemo(deposits) },
        async (txId, expiration) => {
          // Claimed, not just noted: if another process of this node (one that kept its lease past a
          // stall) has a burn in flight, this one is not sent. And once claimed, the chain is read again,
          // so that deposits a burn settled meanwhile are not burned a second time.
          inflight = { txId, expiration: expiration.toString(), deposits };
          if ((await this.o.redis.set(this.keys.inflight, JSON.stringify(inflight), "NX")) !== "OK") {
            throw new BurnSkipped("another burn is in flight");
          }
          const again = await this.readBurns();
          const burnedMeanwhile = again === null ? deposits : await this.burnedAmong(deposits, again);
          if (burnedMeanwhile.length > 0) {
            await this.o.redis.del(this.keys.inflight);
            throw new BurnSkipped(`burned meanwhile: ${burnedMeanwhile.join(",")}`);
          }
        },
      );
    } catch (error) {
      if (!(error instanceof BurnSkipped)) throw error;
      this.o.log.info({ reason: error.message }, "burn not sent");
      return { burned: [] };
    }
    if (!(await this.settle(inflight!, signal))) return { burned: [] };
    await this.o.redis.srem(this.keys.unburned, ...batch.map((b) => b.id));
    this.o.log.info({ txId: sent.txId, deposits: deposits.length, units: total.toString() }, "swapped BTTOLD sent to the black hole");
    return { burned: deposits, txId: sent.txId };
  }

  /**
   * Waits until the burn `inflight` is in a solidified block (true) or provably never will be (false),
   * then forgets it. Anything else — the node unreachable, a timeout — is thrown with the note kept: the
   * burn may still land, so nothing may be sent in its place yet.
   */
  private async settle(inflight: InFlight, signal?: AbortSignal): Promise<boolean> {
    let landed: boolean;
    try {
      await this.o.wallet.waitSolidified(inflight.txId, BigInt(inflight.expiration), signal);
      landed = true;
    } catch (error) {
      if (!(error instanceof TronTxExpiredError)) throw error;
      this.o.log.warn(
        { txId: inflight.txId, err: error.message },
        "a burn expired without getting into a block; its deposits are burned again",
      );
      landed = false;
    }
    // A burn that landed is read from the chain like any other (readBurns), not noted here.
    await this.o.redis.del(this.keys.inflight);
    return landed;
  }

  /**
   * Reads the deposit account's burns: solidified blocks into the stored set (and moves the stored
   * block on), the blocks above them into the returned set, which only this tick uses (a block that is
   * not solidified may still go). Null while catching up from far behind.
   */
  /** Those of `deposits` burned on chain: in a solidified block (the `burned` set) or seen at the head. */
  private async burnedAmong(deposits: readonly string[], seenAtHead: ReadonlySet<string>): Promise<string[]> {
    const inSet = await this.o.redis.smismember(this.keys.burned, ...deposits);
    return deposits.filter((d, i) => inSet[i] === 1 || seenAtHead.has(d));
  }

  private async readBurns(): Promise<Set<string> | null> {
    const stored = await this.o.redis.get(this.keys.scan);
    let scanned = stored === null ? this.o.startBlock - 1n : BigInt(stored);
    if (stored === null) {
      // First start, or the data is lost: let any burn sent before settle first.
      this.settleUntil = Date.now() + this.o.settleMs;
      await this.o.redis.set(this.keys.scan, scanned.toString());
    }
    const { head, finalized } = await this.o.source.heads();
    const seen = new Set<string>();
    if (head <= scanned) return seen;
    const to = head - scanned > MAX_SCAN_BLOCKS ? scanned + MAX_SCAN_BLOCKS : head;
    const solidified: string[] = [];
    for (const out of await this.o.source.outgoingIn(scanned + 1n, to)) {
      if (out.to !== TRON_BLACK_HOLE) continue;
      const ids = parseBurnMemo(out.memo);
      if (!ids) continue;
      if (out.blockNumber <= finalized) solidified.push(...ids);
      else for (const id of ids) seen.add(id);
    }
    if (solidified.length > 0) await this.o.redis.sadd(this.keys.burned, ...solidified);
    const newScanned = to < finalized ? to : finalized;
    if (newScanned > scanned) {
      scanned = newScanned;
      await this.o.redis.set(this.keys.scan, scanned.toString());
    }
    return to === head ? seen : null;
  }
}

/** A burn given up before it was broadcast (another is in flight, or its deposits were burned meanwhile). */
class BurnSkipped extends Error {}
