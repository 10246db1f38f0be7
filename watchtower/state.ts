// What the watchtower keeps between runs, in one JSON file in its state directory, written atomically
// (a temporary file, fsync'd, then renamed over the old one): a crash leaves the old file or the new one,
// never half of one. No Redis, nothing shared with a relayer node.
//
// - `chains[name].next`: the first block not read yet (every block before it is done: outbound events
//   and deliveries).
// - `open`: transfers sent from a gateway (final) and not delivered yet: the source events deliveries
//   are checked against, and what is in flight for the accounting invariant.
// - `alarms`: every alarm raised (never raised twice: each has a key).
// - `pause`: whether a pause was called for, and which gateways have been seen paused since.
// - `invariantBroken`: the invariant did not hold at the last round (raised once until it holds again).
// Cursors and `open` change together, once a round has read every chain (`commitRound`); alarms and
// pauses are written the moment they happen.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { WatchtowerError } from "./errors.ts";

const openTransferSchema = z
  .object({
    srcChain: z.string(),
    srcRef: z.string(),
    kind: z.number().int(),
    dstChainId: z.string(),
    recipient: z.string(),
    amount: z.string(),
    block: z.string(),
  })
  .strict();

const alarmSchema = z
  .object({
    key: z.string(),
    kind: z.string(),
    chain: z.string(),
    message: z.string(),
    at: z.string(),
    txHash: z.string().optional(),
    transferId: z.string().optional(),
  })
  .strict();

const stateSchema = z
  .object({
    version: z.literal(1),
    chains: z.record(z.string(), z.object({ next: z.string().regex(/^\d+$/) }).strict()),
    open: z.record(z.string(), openTransferSchema),
    alarms: z.array(alarmSchema),
    pause: z.object({ requested: z.boolean(), requestedAt: z.string().nullable(), paused: z.record(z.string(), z.string()) }).strict(),
    /** The invariant was broken at the last round: a new alarm only once it has held again. */
    invariantBroken: z.boolean().default(false),
  })
  .strict();

export type OpenTransferJson = z.infer<typeof openTransferSchema>;
export type AlarmRecord = z.infer<typeof alarmSchema>;
type StateJson = z.infer<typeof stateSchema>;

/** A source event, final and not delivered yet. */
export interface OpenTransfer {
  srcChain: string;
  srcRef: string;
  kind: number;
  dstChainId: bigint;
  recipient: string;
  amount: bigint;
  /** The source block. */
  block: bigint;
}

export class WatchtowerState {
  readonly file: string;
  private data: StateJson;

  private constructor(file: string, data: StateJson) {
    this.file = file;
    this.data = data;
  }

  /** The state in `dir` (state.json), or a fresh one starting each chain at its start block. */
  static load(dir: string, startBlocks: Record<string, bigint>): WatchtowerState {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, "state.json");
    let data: StateJson;
    if (existsSync(file)) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, "utf8"));
      } catch (cause) {
        throw new WatchtowerError("STATE_INVALID", `cannot read the watchtower state ${file}`, { cause });
      }
      const parsed = stateSchema.safeParse(raw);
      if (!parsed.success)
        throw new WatchtowerError("STATE_INVALID", `the watchtower state ${file} is not valid`, { details: parsed.error.message });
      data = parsed.data;
    } else {
      data = {
        version: 1,
        chains: {},
        open: {},
        alarms: [],
        pause: { requested: false, requestedAt: null, paused: {} },
        invariantBroken: false,
      };
    }
    // A chain added to the configuration starts at its start block; one read before keeps its cursor.
    for (const [name, start] of Object.entries(startBlocks)) {
      data.chains[name] ??= { next: start.toString() };
    }
    const state = new WatchtowerState(file, data);
    state.save();
    return state;
  }

  /** The first block of `chain` not read yet (every block before it is done). */
  next(chain: string): bigint {
    return BigInt(this.data.chains[chain]!.next);
  }

  /** A copy of the open transfers, by transfer id, for a round to work on. */
  openTransfers(): Map<string, OpenTransfer> {
    return new Map(
      Object.entries(this.data.open).map(([id, o]) => [
        id,
        { ...o, dstChainId: BigInt(o.dstChainId), amount: BigInt(o.amount), block: BigInt(o.block) },
      ]),
    );
  }

  /** A round read every chain up to (not including) `next`: its cursors and open set become the state, together. */
  commitRound(next: Record<string, bigint>, open: Map<string, OpenTransfer>): void {
    for (const [name, block] of Object.entries(next)) this.data.chains[name] = { next: block.toString() };
    this.data.open = Object.fromEntries(
      [...open].map(([id, o]) => [
        id,
        { ...o, dstChainId: o.dstChainId.toString(), amount: o.amount.toString(), block: o.block.toString() },
      ]),
    );
    this.save();
  }

  get invariantBroken(): boolean {
    return this.data.invariantBroken;
  }

  setInvariantBroken(broken: boolean): void {
    if (this.data.invariantBroken === broken) return;
    this.data.invariantBroken = broken;
    this.save();
  }

  get alarms(): readonly AlarmRecord[] {
    return this.data.alarms;
  }

  hasAlarm(key: string): boolean {
    return this.data.alarms.some((a) => a.key === key);
  }

  /** Records an alarm; false if one with that key was raised before. */
  addAlarm(alarm: AlarmRecord): boolean {
    if (this.hasAlarm(alarm.key)) return false;
    this.data.alarms.push(alarm);
    this.save();
    return true;
  }

  get pause(): Readonly<StateJson["pause"]> {
    return this.data.pause;
  }

  requestPause(at: Date): void {
    if (this.data.pause.requested) return;
    this.data.pause = { requested: true, requestedAt: at.toISOString(), paused: {} };
    this.save();
  }

  /** `how`: the pause transaction's hash, or "already" when the gateway was found paused. */
  markPaused(chain: string, how: string): void {
    this.data.pause.paused[chain] = how;
    this.save();
  }

  /** Write temp, fsync, rename: the file is always one whole state. */
  private save(): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(this.data, null, 2) + "\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
  }
}
