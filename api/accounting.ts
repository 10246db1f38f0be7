// GET /v1/stats: the accounting invariant (docs/protocol.md, "Accounting invariant"), read from the chains.
// Each gateway's `accounting()` view gives what is locked (BTTC), minted (bridged supply on remote
// chains) and swapped; what is in flight — sent at a source, not yet delivered — comes from the gateways'
// TransferSent/SwapSent logs and the destinations' `isDelivered`, followed incrementally from each
// chain's configured start block, so a stats call reads only new blocks and the transfers still open.
//
// Everything is read at each chain's final block (its configured confirmations, or its `finalized`
// tag), never at the head: a transfer a reorg takes back out was never counted, and a block once
// scanned never changes. So a transfer appears once its source block is final, and stays in flight
// until its delivery is final on the destination (a delivery not yet final still counts as in flight).
// One computation runs at a time and callers that come while it runs share its answer: the open set
// and the pinned blocks are shared state, and a second scan must not change them under the first.
//
// The invariant: BTTC `locked` = Σ remote bridged supply + bridge transfers in flight; and, for swaps,
// BTTC `reservePaid` = BTT owed for BTTOLD taken in on EVM chains − EVM swaps in flight + BTT paid for
// TRON deposits. TRON has no gateway view, so with a TRON chain configured the swap side checks that the
// reserve paid at least what the EVM side owes and reports the rest as paid for other sources.
// The bridge side is one-sided: BTT forced into the BTTC gateway without a transfer (SELFDESTRUCT, a
// block reward) is a `surplus`, shown apart and never a violation (anyone can send it, and it backs
// nothing); the gateway's `accounting()` reports it apart from `locked` (its own counter), and any excess
// of `locked` over what it backs counts as surplus too. Less locked than that — a deficit — always is a
// violation, and so is a gateway whose balance falls short of what it owes (its view's `deficit`).
import { type Log, type Result } from "ethers";
import { addressToBytes32, sequenceToRef } from "../common/transfer.ts";
import type { EvmChain } from "./chains/evm-chain.ts";
import type { ChainRegistry } from "./chains/registry.ts";

interface Open {
  src: EvmChain;
  dst: EvmChain;
  kind: "bridge" | "swap";
  srcRef: string;
  amount: bigint;
}

export interface ChainStats {
  chain: string;
  role: "bttc" | "remote";
  /** BTTC: native BTT locked for bridged BTT and transfers in flight. */
  locked: bigint | null;
  /** BTTC: BTT the gateway reports apart as forced in without a transfer, if its `accounting()` does. */
  surplus: bigint | null;
  /** BTTC: how far the gateway's balance falls short of what it owes (locked, reserve, fees, claimable). */
  deficit: bigint | null;
  /** Remote: bridged BTT in existence (fees held included). */
  minted: bigint | null;
  /** Remote: BTTOLD taken in (legacy base units); BTTC: BTT paid from the reserve (wei). */
  swapped: bigint;
  /** Remote: BTT owed on BTTC for that BTTOLD (wei). */
  swapOwed: bigint | null;
  feesHeld: bigint;
  reserveBalance: bigint | null;
  /** Bridge transfers (wei) and swaps (BTT wei) sent from this chain and not delivered yet. */
  inFlight: { bridge: bigint; swap: bigint; transfers: number };
}

export interface Stats {
  chains: ChainStats[];
  invariant: {
    holds: boolean;
    /** `surplus`: BTT locked beyond what remote chains hold and what is in flight (forced in; not a violation). */
    bridge: { locked: bigint; minted: bigint; inFlight: bigint; surplus: bigint; holds: boolean };
    swap: { reservePaid: bigint; owedByEvmSources: bigint; evmInFlight: bigint; paidForOtherSources: bigint; holds: boolean };
  };
  scannedTo: Record<string, bigint>;
}

export class AccountingReader {
  private readonly chains: ChainRegistry;
  private readonly open = new Map<string, Open>();
  private readonly nextBlock = new Map<string, bigint>();
  /** Each chain's final block at the last scan: every read of one stats call is pinned to it (see scan). */
  private readonly heads = new Map<string, bigint>();
  private computing: Promise<Stats> | null = null;

  constructor(chains: ChainRegistry) {
    this.chains = chains;
    for (const chain of chains.evmChains()) this.nextBlock.set(chain.name, chain.config.startBlock);
  }

  /** The stats at every chain's final block; concurrent callers share one computation. */
  stats(): Promise<Stats> {
    this.computing ??= this.compute().finally(() => (this.computing = null));
    return this.computing;
  }

  private async compute(): Promise<Stats> {
    await this.scan();
    const chains = await Promise.all(this.chains.evmChains().map((c) => this.chainStats(c)));
    const home = chains.find((c) => c.role === "bttc")!;
    const remotes = chains.filter((c) => c.role === "remote");
    const minted = remotes.reduce((sum, c) => sum + c.minted!, 0n);
    const bridgeInFlight = chains.reduce((sum, c) => sum + c.inFlight.bridge, 0n);
    const owed = remotes.reduce((sum, c) => sum + c.swapOwed!, 0n);
    const swapInFlight = remotes.reduce((sum, c) => sum + c.inFlight.swap, 0n);
    const paidForOthers = home.swapped - (owed - swapInFlight);
    const hasOtherSources = this.chains.all.length > this.chains.evmChains().length;
    const backed = minted + bridgeInFlight;
    const bridgeHolds = home.locked! >= backed && (home.deficit ?? 0n) === 0n;
    // What the gateway reports apart (a gateway that does leaves it out of `locked`), and any excess of
    // `locked` over what it backs (a gateway that does not).
    const surplus = (home.surplus ?? 0n) + (home.locked! > backed ? home.locked! - backed : 0n);
    const swapHolds = hasOtherSources ? paidForOthers >= 0n : paidForOthers === 0n;
    return {
      chains,
      invariant: {
        holds: bridgeHolds && swapHolds,
        bridge: { locked: home.locked!, minted, inFlight: bridgeInFlight, surplus, holds: bridgeHolds },
        swap: {
          reservePaid: home.swapped,
          owedByEvmSources: owed,
          evmInFlight: swapInFlight,
          paidForOtherSources: paidForOthers,
          holds: swapHolds,
        },
      },
      scannedTo: Object.fromEntries(this.chains.evmChains().map((c) => [c.name, this.heads.get(c.name)!])),
    };
  }

  private async chainStats(chain: EvmChain): Promise<ChainStats> {
    const blockTag = this.heads.get(chain.name)!;
    // By name: a gateway version may add fields (a surplus reported apart).
    const a = (
      (await chain.read("accounting", () => chain.gateway.getFunction("accounting")({ blockTag }))) as Result
    ).toObject() as Record<string, bigint | undefined>;
    const inFlight = { bridge: 0n, swap: 0n, transfers: 0 };
    for (const o of this.open.values()) {
      if (o.src !== chain) continue;
      inFlight[o.kind] += o.amount;
      inFlight.transfers++;
    }
    if (chain.config.role === "bttc") {
      return {
        chain: chain.name,
        role: "bttc",
        locked: a.locked!,
        surplus: a.surplus ?? null,
        deficit: a.deficit ?? null,
        minted: null,
        swapped: a.reservePaid!,
        swapOwed: null,
        feesHeld: a.feesHeld!,
        reserveBalance: a.reserveBalance!,
        inFlight,
      };
    }
    return {
      chain: chain.name,
      role: "remote",
      locked: null,
      surplus: null,
      deficit: null,
      minted: a.bridgedSupply!,
      swapped: a.legacyReceived!,
      swapOwed: a.swapOwed!,
      feesHeld: a.feesHeld!,
      reserveBalance: null,
      inFlight,
    };
  }

  /**
   * Reads new outbound logs of every gateway up to its final block, then drops what has been delivered
   * since. Every read for one chain — its logs, deliveries on it, its accounting — is made at the block
   * taken here, so that a transfer delivered while the stats are being read is counted once, not twice
   * or never (a transfer is delivered only after its source block is final, which the scan has read).
   */
  private async scan(): Promise<void> {
    await Promise.all(this.chains.evmChains().map((c) => this.scanChain(c)));
    await Promise.all(
      [...this.open].map(async ([id, o]) => {
        const blockTag = this.heads.get(o.dst.name)!;
        const delivered = await o.dst.read(
          "isDelivered",
          () =>
            o.dst.gateway.getFunction("isDelivered")(o.src.chainId, addressToBytes32(o.src.config.gateway), o.srcRef, {
              blockTag,
            }) as Promise<boolean>,
        );
        if (delivered) this.open.delete(id);
      }),
    );
  }

  private async scanChain(chain: EvmChain): Promise<void> {
    const iface = chain.gatewayInterface;
    const topics = [["TransferSent", "SwapSent"].filter((n) => iface.getEvent(n)).map((n) => iface.getEvent(n)!.topicHash)];
    const head = await chain.finalBlock();
    this.heads.set(chain.name, head);
    let from = this.nextBlock.get(chain.name)!;
    while (from <= head) {
      const to = from + BigInt(chain.config.maxBlockRange) - 1n < head ? from + BigInt(chain.config.maxBlockRange) - 1n : head;
      const logs: Log[] = await chain.read("logs", () =>
        chain.provider.getLogs({ address: chain.config.gateway, topics, fromBlock: from, toBlock: to }),
      );
      for (const log of logs) {
        const event = iface.parseLog(log);
        if (!event) continue;
        const sequence = event.args.getValue("sequence") as bigint;
        const dst = this.chains.evmChains().find((c) => c.chainId === (event.args.getValue("dstChainId") as bigint));
        if (!dst) continue; // a destination this API does not know cannot be checked
        this.open.set(`${chain.name}:${sequence}`, {
          src: chain,
          dst,
          kind: event.name === "SwapSent" ? "swap" : "bridge",
          srcRef: sequenceToRef(sequence),
          amount: event.args.getValue("amount") as bigint,
        });
      }
      from = to + 1n;
      this.nextBlock.set(chain.name, from);
    }
  }
}

/** Stats as JSON: amounts as decimal strings. */
export function statsJson(stats: Stats) {
  const s = (v: bigint | null) => (v === null ? null : v.toString());
  return {
    chains: stats.chains.map((c) => ({
      ...c,
      locked: s(c.locked),
      surplus: s(c.surplus),
      deficit: s(c.deficit),
      minted: s(c.minted),
      swapped: s(c.swapped)!,
      swapOwed: s(c.swapOwed),
      feesHeld: s(c.feesHeld)!,
      reserveBalance: s(c.reserveBalance),
      inFlight: { bridge: s(c.inFlight.bridge)!, swap: s(c.inFlight.swap)!, transfers: c.inFlight.transfers },
    })),
    invariant: {
      holds: stats.invariant.holds,
      bridge: {
        ...stats.invariant.bridge,
        locked: s(stats.invariant.bridge.locked)!,
        minted: s(stats.invariant.bridge.minted)!,
        inFlight: s(stats.invariant.bridge.inFlight)!,
        surplus: s(stats.invariant.bridge.surplus)!,
      },
      swap: {
        ...stats.invariant.swap,
        reservePaid: s(stats.invariant.swap.reservePaid)!,
        owedByEvmSources: s(stats.invariant.swap.owedByEvmSources)!,
        evmInFlight: s(stats.invariant.swap.evmInFlight)!,
        paidForOtherSources: s(stats.invariant.swap.paidForOtherSources)!,
      },
    },
    scannedTo: Object.fromEntries(Object.entries(stats.scannedTo).map(([k, v]) => [k, v.toString()])),
  };
}
