// The accounting invariant (docs/protocol.md, "Accounting invariant"; spec §3) as a pure computation over
// what each gateway's `accounting()` view reports and what is in flight. The API (GET /v1/stats,
// api/accounting.ts) and the watchtower (watchtower/invariant.ts) read the chains their own way (each at
// its own pinned final blocks) and judge what they read here, so the rule is written once.
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

export interface InFlight {
  /** Bridge transfers (wei) sent from a chain and not delivered yet. */
  bridge: bigint;
  /** Swaps (BTT wei) sent from a chain and not delivered yet. */
  swap: bigint;
  transfers: number;
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
  inFlight: InFlight;
}

export interface Invariant {
  holds: boolean;
  /** `surplus`: BTT locked beyond what remote chains hold and what is in flight (forced in; not a violation). */
  bridge: { locked: bigint; minted: bigint; inFlight: bigint; surplus: bigint; holds: boolean };
  swap: { reservePaid: bigint; owedByEvmSources: bigint; evmInFlight: bigint; paidForOtherSources: bigint; holds: boolean };
}

export interface Stats {
  chains: ChainStats[];
  invariant: Invariant;
  scannedTo: Record<string, bigint>;
}

/**
 * One chain's figures from its gateway's `accounting()` answer, read by field name (a gateway version
 * may add fields, such as a surplus reported apart), and what is in flight from it.
 */
export function chainStatsOf(
  chain: string,
  role: "bttc" | "remote",
  accounting: Record<string, bigint | undefined>,
  inFlight: InFlight,
): ChainStats {
  const a = accounting;
  if (role === "bttc") {
    return {
      chain,
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
    chain,
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
 * Judges the invariant over every EVM chain's figures (one of them BTTC), all read at pinned final
 * blocks. `hasOtherSources`: swaps also come from a chain without a gateway view (TRON).
 */
export function evaluateInvariant(chains: readonly ChainStats[], hasOtherSources: boolean): Invariant {
  const home = chains.find((c) => c.role === "bttc");
  if (!home) throw new TypeError("the accounting invariant needs the BTTC chain's figures");
  const remotes = chains.filter((c) => c.role === "remote");
  const minted = remotes.reduce((sum, c) => sum + c.minted!, 0n);
  const bridgeInFlight = chains.reduce((sum, c) => sum + c.inFlight.bridge, 0n);
  const owed = remotes.reduce((sum, c) => sum + c.swapOwed!, 0n);
  const swapInFlight = remotes.reduce((sum, c) => sum + c.inFlight.swap, 0n);
  const paidForOthers = home.swapped - (owed - swapInFlight);
  const backed = minted + bridgeInFlight;
  const bridgeHolds = home.locked! >= backed && (home.deficit ?? 0n) === 0n;
  // What the gateway reports apart (a gateway that does leaves it out of `locked`), and any excess of
  // `locked` over what it backs (a gateway that does not).
  const surplus = (home.surplus ?? 0n) + (home.locked! > backed ? home.locked! - backed : 0n);
  const swapHolds = hasOtherSources ? paidForOthers >= 0n : paidForOthers === 0n;
  return {
    holds: bridgeHolds && swapHolds,
    bridge: { locked: home.locked!, minted, inFlight: bridgeInFlight, surplus, holds: bridgeHolds },
    swap: {
      reservePaid: home.swapped,
      owedByEvmSources: owed,
      evmInFlight: swapInFlight,
      paidForOtherSources: paidForOthers,
      holds: swapHolds,
    },
  };
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
    invariant: invariantJson(stats.invariant),
    scannedTo: Object.fromEntries(Object.entries(stats.scannedTo).map(([k, v]) => [k, v.toString()])),
  };
}

/** The invariant as JSON: amounts as decimal strings. */
export function invariantJson(invariant: Invariant) {
  const s = (v: bigint) => v.toString();
  return {
    holds: invariant.holds,
    bridge: {
      ...invariant.bridge,
      locked: s(invariant.bridge.locked),
      minted: s(invariant.bridge.minted),
      inFlight: s(invariant.bridge.inFlight),
      surplus: s(invariant.bridge.surplus),
    },
    swap: {
      ...invariant.swap,
      reservePaid: s(invariant.swap.reservePaid),
      owedByEvmSources: s(invariant.swap.owedByEvmSources),
      evmInFlight: s(invariant.swap.evmInFlight),
      paidForOtherSources: s(invariant.swap.paidForOtherSources),
    },
  };
}
