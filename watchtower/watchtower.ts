// The watchtower (docs/operations.md, "Watchtower"): a process apart from every relayer node, with its
// own state, that reads every chain at its final blocks and checks, round after round,
//   - every `TransfersDelivered` on every gateway: each delivered transfer must match a final source
//     event (EVM: the source gateway's TransferSent/SwapSent with that sequence; TRON: the solidified
//     TRC-10 deposit with that txid) in kind, destination, recipient and amount;
//   - the accounting invariant (common/accounting.ts) at those blocks.
// A failure is an alarm (./alarms.ts): logged, counted, sent to the webhook and, in `pause` mode, every
// gateway is paused with the guardian key. A round that fails (an RPC down) changes nothing and is run
// again from the same cursors; so is a round after a restart.
import type { Log } from "ethers";
import type { Logger } from "pino";
import { sleep } from "../common/async.ts";
import { messageOf } from "../common/errors.ts";
import type { RetryOptions } from "../common/rpc/retry.ts";
import { TransferKind, addressToBytes32, sequenceToRef, transferId, type Transfer } from "../common/transfer.ts";
import { Alarms, type Alarm } from "./alarms.ts";
import type { WatchtowerConfig } from "./config.ts";
import { deliveredTransfers } from "./delivery.ts";
import { EvmChain } from "./evm.ts";
import { invariantAt } from "./invariant.ts";
import { matchEvmSource, matchTronDeposit, type Mismatch } from "./matcher.ts";
import { WatchtowerMetrics } from "./metrics.ts";
import { Pauser } from "./pauser.ts";
import { WatchtowerState, type OpenTransfer } from "./state.ts";
import { TronDeposits } from "./tron.ts";
import { Webhook } from "./webhook.ts";
import { loadGuardian } from "./guardian.ts";
import { toEvmAddress } from "../common/tron/address.ts";

const OUTBOUND = ["TransferSent", "SwapSent"] as const;

export interface WatchtowerOptions {
  config: WatchtowerConfig;
  log: Logger;
  /** RPC retries (tests shorten them). */
  retry?: RetryOptions;
}

export interface RoundResult {
  /** Each chain's final block read this round. */
  finals: Map<string, bigint>;
  deliveriesChecked: number;
  /** Null while a gateway is not deployed yet at the block read. */
  invariantHolds: boolean | null;
}

export class Watchtower {
  readonly config: WatchtowerConfig;
  readonly metrics = new WatchtowerMetrics();
  readonly chains: EvmChain[];
  readonly tron: TronDeposits | null;
  readonly state: WatchtowerState;
  private readonly log: Logger;
  private readonly alarms: Alarms;
  private loop: Promise<void> | null = null;
  private stopping = new AbortController();
  /** When the last round completed (ms since the epoch), for /health. */
  lastRoundAt: number | null = null;
  lastError: string | null = null;

  constructor(options: WatchtowerOptions) {
    const { config, log } = options;
    this.config = config;
    this.log = log;
    const onRpcError = (chain: string) => this.metrics.rpcErrors.labels(chain).inc();
    const retry = options.retry ? { retry: options.retry } : {};
    this.chains = config.chains.map((c) => new EvmChain(c, config.requestTimeoutMs, { ...retry, onRpcError }));
    this.tron = config.tron ? new TronDeposits(config.tron, config.requestTimeoutMs, { ...retry, onRpcError }) : null;
    this.state = WatchtowerState.load(config.stateDir, Object.fromEntries(config.chains.map((c) => [c.name, c.startBlock])));
    const guardian = config.guardianKey ? loadGuardian(config.guardianKey.file) : null;
    const pauser = config.mode === "pause" && guardian ? new Pauser(guardian, log.child({ part: "pauser" })) : null;
    const webhook = config.webhookUrl
      ? new Webhook(config.webhookUrl, log.child({ part: "webhook" }), { onFailure: () => this.metrics.webhookFailures.inc() })
      : null;
    this.alarms = new Alarms({ state: this.state, metrics: this.metrics, log, webhook, pauser, chains: this.chains });
    this.metrics.alarmsRecorded.set(this.state.alarms.length);
    for (const chain of this.chains) {
      this.metrics.checkedBlock.labels(chain.name).set(Number(this.state.next(chain.name) - 1n));
      this.metrics.paused.labels(chain.name).set(this.state.pause.paused[chain.name] ? 1 : 0);
    }
  }

  get pauser(): Pauser | null {
    return this.alarms.pauser;
  }

  /** Checks each endpoint serves its chain, resumes a pause left half-done, and starts the rounds. */
  async start(): Promise<void> {
    await Promise.all(this.chains.map((c) => c.assertChainId()));
    this.alarms.resumePause();
    this.metrics.up.set(1);
    this.loop = this.run();
    this.log.info(
      {
        mode: this.config.mode,
        chains: this.chains.map((c) => c.name),
        tron: this.tron ? this.config.tron!.name : null,
        guardian: this.pauser?.address,
      },
      "watchtower started",
    );
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    this.pauser?.stop();
    await this.pauser?.settled();
    await this.alarms.close();
    this.metrics.up.set(0);
    for (const chain of this.chains) chain.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.round();
        this.lastError = null;
      } catch (error) {
        this.lastError = messageOf(error);
        this.log.warn({ err: this.lastError }, "round failed; trying again from the same blocks");
      }
      await sleep(this.config.pollIntervalMs, this.stopping.signal).catch(() => undefined);
    }
  }

  /**
   * One round: every chain read from its cursor to its final block, deliveries checked, the invariant
   * judged, and the cursors moved. If it fails (an RPC down past its retries), a best-effort pass still
   * checks what it can read — the deliveries on chains that answer whose sources answer too — so that a
   * forgery on one chain is alarmed (and paused) while another chain's endpoint is down; it moves no
   * cursor, and the full round is run again (its alarms are not raised twice: each has a key).
   */
  async round(): Promise<RoundResult> {
    try {
      return await this.fullRound();
    } catch (error) {
      await this.bestEffort().catch((e: unknown) => this.log.warn({ err: messageOf(e) }, "best-effort checks failed"));
      throw error;
    }
  }

  private async fullRound(): Promise<RoundResult> {
    const finals = new Map<string, bigint>();
    await Promise.all(this.chains.map(async (c) => finals.set(c.name, await c.finalBlock())));
    const open = this.state.openTransfers();
    const next = new Map(this.chains.map((c) => [c.name, this.state.next(c.name)]));

    // Every source first: a delivery in this round may name a source event of this round.
    await Promise.all(
      this.chains.map(async (chain) => {
        const from = next.get(chain.name)!;
        const to = finals.get(chain.name)!;
        if (from > to) return;
        for (const log of await chain.logs(OUTBOUND, from, to)) this.addOpen(chain, log, open);
      }),
    );
    let checked = 0;
    for (const chain of this.chains) {
      const from = next.get(chain.name)!;
      const to = finals.get(chain.name)!;
      if (from > to) continue;
      checked += await this.checkDeliveries(chain, from, to, open, finals);
    }

    const committed: Record<string, bigint> = {};
    for (const chain of this.chains) {
      const to = finals.get(chain.name)!;
      committed[chain.name] = to + 1n > next.get(chain.name)! ? to + 1n : next.get(chain.name)!;
    }
    // Judged at the last block read on each chain (what `open` reflects), never below it.
    const read = new Map(Object.entries(committed).map(([name, next]) => [name, next - 1n]));
    const invariant = await invariantAt(this.chains, read, open, this.tron !== null);
    if (invariant) this.metrics.invariantHolds.set(invariant.holds ? 1 : 0);
    if (invariant && !invariant.holds && !this.state.invariantBroken) {
      const at = [...read].map(([name, block]) => `${name}@${block}`).join(",");
      const b = invariant.bridge;
      const s = invariant.swap;
      this.alarms.raise({
        key: `INVARIANT_BROKEN:${at}`,
        kind: "INVARIANT_BROKEN",
        chain: this.chains.find((c) => c.config.kind === "bttc")!.name,
        message:
          `the accounting invariant does not hold at ${at}: bridge locked ${b.locked}, minted ${b.minted}, in flight ${b.inFlight} (${b.holds ? "holds" : "broken"}); ` +
          `swap reserve paid ${s.reservePaid}, owed by EVM sources ${s.owedByEvmSources}, in flight ${s.evmInFlight} (${s.holds ? "holds" : "broken"})`,
      });
    }
    if (invariant) this.state.setInvariantBroken(!invariant.holds);

    this.state.commitRound(committed, open);
    for (const chain of this.chains) this.metrics.checkedBlock.labels(chain.name).set(Number(committed[chain.name]! - 1n));
    this.lastRoundAt = Date.now();
    return { finals, deliveriesChecked: checked, invariantHolds: invariant?.holds ?? null };
  }

  /** Checks whatever can be read now, alarms what is certain, and keeps nothing (see `round`). */
  private async bestEffort(): Promise<void> {
    const finals = new Map<string, bigint>();
    await Promise.all(
      this.chains.map(async (c) => {
        const final = await c.finalBlock().catch(() => null);
        if (final !== null) finals.set(c.name, final);
      }),
    );
    const open = this.state.openTransfers();
    await Promise.all(
      this.chains
        .filter((c) => finals.has(c.name))
        .map(async (chain) => {
          const from = this.state.next(chain.name);
          const to = finals.get(chain.name)!;
          try {
            const logs = from > to ? [] : await chain.logs(OUTBOUND, from, to);
            for (const log of logs) this.addOpen(chain, log, open);
          } catch {
            finals.delete(chain.name); // its sources are not all known: none of its transfers is judged
          }
        }),
    );
    for (const chain of this.chains) {
      const to = finals.get(chain.name);
      const from = this.state.next(chain.name);
      if (to === undefined || from > to) continue;
      await this.checkDeliveries(chain, from, to, open, finals, true).catch(() => 0);
    }
  }

  private addOpen(chain: EvmChain, log: Log, open: Map<string, OpenTransfer>): void {
    const event = chain.iface.parseLog(log);
    if (!event) return;
    const dstChainId = event.args.getValue("dstChainId") as bigint;
    // As the API does: a transfer to a chain no gateway here serves is neither checked nor counted in flight.
    if (!this.chains.some((c) => c.chainId === dstChainId)) return;
    const sequence = event.args.getValue("sequence") as bigint;
    const srcRef = sequenceToRef(sequence).toLowerCase();
    open.set(transferId({ srcChainId: chain.chainId, srcGateway: chain.srcGateway, srcRef }), {
      srcChain: chain.name,
      srcRef,
      kind: event.name === "SwapSent" ? TransferKind.Swap : TransferKind.Bridge,
      dstChainId,
      recipient: event.args.getValue("recipient") as string,
      amount: event.args.getValue("amount") as bigint,
      block: BigInt(log.blockNumber),
    });
  }

  /** Every TransfersDelivered in [from, to] on `chain`, transaction by transaction. */
  private async checkDeliveries(
    chain: EvmChain,
    from: bigint,
    to: bigint,
    open: Map<string, OpenTransfer>,
    finals: ReadonlyMap<string, bigint>,
    bestEffort = false,
  ): Promise<number> {
    const byTx = new Map<string, string[]>();
    for (const log of await chain.logs(["TransfersDelivered"], from, to)) {
      const event = chain.iface.parseLog(log);
      if (!event) continue;
      const ids = (event.args.getValue("transferIds") as string[]).map((id) => id.toLowerCase());
      byTx.set(log.transactionHash, [...(byTx.get(log.transactionHash) ?? []), ...ids]);
    }
    let checked = 0;
    for (const [txHash, ids] of byTx) {
      const delivered = bestEffort ? await deliveredTransfers(chain, txHash).catch(() => null) : await deliveredTransfers(chain, txHash);
      if (!delivered) continue;
      for (const id of ids) {
        if (!bestEffort) {
          checked++;
          this.metrics.deliveriesChecked.labels(chain.name).inc();
        }
        const alarm = (m: Mismatch) =>
          this.alarms.raise({
            key: `${m.kind}:${chain.name}:${txHash}:${id}`,
            kind: m.kind,
            chain: chain.name,
            message: m.message,
            txHash,
            transferId: id,
          });
        if (!delivered.readable) {
          alarm({ kind: "UNVERIFIABLE_DELIVERY", message: `transfer ${id}: ${delivered.reason}` });
          open.delete(id);
          continue;
        }
        const transfer = delivered.transfers.get(id);
        if (!transfer) {
          alarm({
            kind: "UNVERIFIABLE_DELIVERY",
            message: `transfer ${id} is in the event but in no deliver call found (${delivered.via})`,
          });
          open.delete(id);
          continue;
        }
        if (bestEffort) {
          // Only what can be judged now: a source chain not read this pass, or a read that fails, is left for the full round.
          const source = this.chains.find((c) => c.chainId === transfer.srcChainId);
          if (source && !finals.has(source.name)) continue;
          const mismatch = await this.checkSource(transfer, id, open, finals).catch(() => undefined);
          if (mismatch === undefined) continue;
          open.delete(id);
          if (mismatch) alarm(mismatch);
          continue;
        }
        const mismatch = await this.checkSource(transfer, id, open, finals);
        open.delete(id);
        if (mismatch) alarm(mismatch);
      }
    }
    return checked;
  }

  /** The delivered transfer against its source; null when a final source event with the same fields exists. */
  private async checkSource(
    transfer: Transfer,
    id: string,
    open: ReadonlyMap<string, OpenTransfer>,
    finals: ReadonlyMap<string, bigint>,
  ): Promise<Mismatch | null> {
    if (this.tron && transfer.srcChainId === this.tron.config.chainId) {
      const depositGateway = addressToBytes32(toEvmAddress(this.tron.depositHex)).toLowerCase();
      if (transfer.srcGateway.toLowerCase() !== depositGateway) {
        return { kind: "UNKNOWN_SOURCE", message: `a TRON swap from ${transfer.srcGateway}, not the deposit address` };
      }
      const found = await this.tron.lookup(transfer.srcRef);
      if (found.found === "none") return { kind: "UNKNOWN_SOURCE", message: `no TRON transaction ${transfer.srcRef}` };
      if (found.found === "not-final")
        return { kind: "SOURCE_NOT_FINAL", message: `TRON transaction ${transfer.srcRef} is not solidified` };
      return matchTronDeposit(transfer, found.deposit, {
        depositHex: this.tron.depositHex,
        tokenId: this.tron.config.tokenId,
        minimumUnits: this.tron.config.minimumUnits,
        bttcChainId: this.chains.find((c) => c.config.kind === "bttc")!.chainId,
      });
    }
    const source = this.chains.find((c) => c.chainId === transfer.srcChainId);
    if (!source) return { kind: "UNKNOWN_SOURCE", message: `from chain ${transfer.srcChainId}, which no gateway here serves` };
    if (transfer.srcGateway.toLowerCase() !== source.srcGateway) {
      return { kind: "UNKNOWN_SOURCE", message: `from ${transfer.srcGateway} on ${source.name}, not its gateway ${source.config.gateway}` };
    }
    const event = open.get(id);
    if (event) return matchEvmSource(transfer, event);
    // Not among the final, undelivered source events: sent but not final yet, or never sent at all.
    const ref = BigInt(transfer.srcRef);
    if (ref > 0n && ref < 2n ** 64n) {
      const head = await source.head();
      const final = finals.get(source.name)!;
      if (head > final && (await source.logs(OUTBOUND, final + 1n, head, sequenceToRef(ref))).length > 0) {
        return { kind: "SOURCE_NOT_FINAL", message: `${source.name} sequence ${ref} is not final (final block ${final})` };
      }
    }
    return { kind: "UNKNOWN_SOURCE", message: `no final, undelivered ${source.name} transfer with sequence ${ref}` };
  }
}

export type { Alarm };
