// Each destination gateway's current validator set, as this node last read it (docs/operations.md,
// "Rotating validators"). Signing follows it: a batch needs the threshold of *this* set, signatures only
// from its members count, and a node whose key is not in it neither proposes nor co-signs for that
// destination. The set is read again when it may have changed: every `maxAgeMs` (30 s), when the
// gateway's epoch moves (a ValidatorSetUpdated shows as a new `status().validatorEpoch`, polled every
// `pollMs`), and at once when a delivery or a peer says the signatures are not the set's (forget()).
import type { Logger } from "pino";
import { getAddress } from "ethers";
import { isMember, type ValidatorSet } from "../../common/validators/validator-set.ts";
import type { DestinationChain } from "../chains/adapter.ts";

export interface KnownSet extends ValidatorSet {
  /** Whether this node's attestation key is in the set. */
  member: boolean;
  /** When it was read (ms since the epoch). */
  readAt: number;
}

/** What /health shows of a destination's set. */
export interface ValidatorSetHealth {
  epoch: string;
  threshold: number;
  validators: number;
  member: boolean;
}

export interface ValidatorSetsOptions {
  /** This node's attestation address. */
  self: string;
  /** This node's id and its peers' (id → the address their attestations recover to). */
  nodeId: string;
  peers: readonly { id: string; signer: string }[];
  destinations: ReadonlyMap<bigint, DestinationChain>;
  /** Longest a set is used without reading it again (default 30 s). */
  maxAgeMs?: number;
  /** How often the gateways' epochs are polled by start() (default 5 s). */
  pollMs?: number;
  log?: Logger;
  /** Told of every set read whose epoch or membership differs from the one before (metrics, logs). */
  onChange?(chain: string, set: KnownSet): void;
}

export class ValidatorSets {
  private readonly o: ValidatorSetsOptions;
  private readonly self: string;
  private readonly known = new Map<bigint, KnownSet>();
  private readonly reading = new Map<bigint, Promise<KnownSet>>();
  private readonly signers: ReadonlyMap<string, string>;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(options: ValidatorSetsOptions) {
    this.o = options;
    this.self = getAddress(options.self);
    this.signers = new Map([[options.nodeId, this.self], ...options.peers.map((p) => [p.id, getAddress(p.signer)] as const)]);
  }

  /** The destination's set: the one held if read within maxAgeMs, else read now (one read at a time). */
  async current(destination: DestinationChain): Promise<KnownSet> {
    const held = this.known.get(destination.chainId);
    if (held && Date.now() - held.readAt < (this.o.maxAgeMs ?? 30_000)) return held;
    return this.read(destination);
  }

  /** Reads the destination's set now (a read under way is shared). */
  read(destination: DestinationChain): Promise<KnownSet> {
    const under = this.reading.get(destination.chainId);
    if (under) return under;
    const read = destination
      .validatorSet()
      .then((set) => {
        const known: KnownSet = { ...set, member: isMember(set, this.self), readAt: Date.now() };
        const before = this.known.get(destination.chainId);
        // A slower read of an older epoch never replaces a newer one.
        if (before && before.epoch > known.epoch) return before;
        this.known.set(destination.chainId, known);
        if (!before || before.epoch !== known.epoch || before.member !== known.member) {
          this.o.log?.info(
            { chain: destination.name, epoch: known.epoch.toString(), threshold: known.threshold, member: known.member },
            known.member
              ? "validator set read: this node is a member"
              : "validator set read: this node is NOT a member, it does not sign for this chain",
          );
          this.o.onChange?.(destination.name, known);
        }
        return known;
      })
      .finally(() => this.reading.delete(destination.chainId));
    this.reading.set(destination.chainId, read);
    return read;
  }

  /** Forgets the destination's set: the next current() reads it (the gateway refused signatures, or a
   * peer said it is no longer a member). */
  forget(chainId: bigint): void {
    const held = this.known.get(chainId);
    if (held) this.known.set(chainId, { ...held, readAt: 0 });
  }

  /** The set last read for `chainId`, if any (no chain access). */
  held(chainId: bigint): KnownSet | undefined {
    return this.known.get(chainId);
  }

  /** Of `nodeIds`, those whose signer is in `chainId`'s set as last read; null before the first read. */
  membersOf(chainId: bigint, nodeIds: readonly string[]): string[] | null {
    const set = this.known.get(chainId);
    if (!set) return null;
    return nodeIds.filter((id) => {
      const signer = this.signers.get(id);
      return signer !== undefined && set.validators.includes(signer);
    });
  }

  /** Each destination's set as /health shows it, by chain name. */
  health(): Record<string, ValidatorSetHealth> {
    const out: Record<string, ValidatorSetHealth> = {};
    for (const destination of this.o.destinations.values()) {
      const set = this.known.get(destination.chainId);
      if (set)
        out[destination.name] = {
          epoch: set.epoch.toString(),
          threshold: set.threshold,
          validators: set.validators.length,
          member: set.member,
        };
    }
    return out;
  }

  /** Reads every destination's set (resolves once each read ended; a failed one is logged and tried at
   * the next poll), and polls their epochs every pollMs until stop(): a set that moved, or grew old, is
   * read again. */
  start(): Promise<void> {
    this.running = true;
    const first = Promise.all([...this.o.destinations.values()].map((d) => this.read(d).catch((error: unknown) => this.warn(d, error))));
    const poll = async () => {
      await Promise.all(
        [...this.o.destinations.values()].map(async (d) => {
          try {
            const held = this.known.get(d.chainId);
            if (!held || Date.now() - held.readAt >= (this.o.maxAgeMs ?? 30_000) || (await d.validatorEpoch()) !== held.epoch)
              await this.read(d);
          } catch (error) {
            this.warn(d, error);
          }
        }),
      );
      if (this.running) this.timer = setTimeout(() => void poll(), this.o.pollMs ?? 5_000);
    };
    this.timer = setTimeout(() => void poll(), this.o.pollMs ?? 5_000);
    return first.then(() => undefined);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private warn(destination: DestinationChain, error: unknown): void {
    this.o.log?.warn(
      { chain: destination.name, err: error instanceof Error ? error.message : String(error) },
      "could not read the validator set",
    );
  }
}
