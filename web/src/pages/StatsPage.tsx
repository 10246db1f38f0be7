// The bridge's accounting from GET /v1/stats: locked, minted, swapped and in flight per chain, and
// whether the invariant holds.
import { useQuery } from "@tanstack/react-query";
import { formatAmount } from "../amounts.ts";
import type { ChainStats } from "../api/types.ts";
import { useApp } from "../app-context.tsx";
import { BTT_DECIMALS, chainLabel } from "../chains.ts";
import { useLegacyDecimals } from "../hooks.ts";

const btt = (v: string | null) => (v === null ? "—" : `${formatAmount(BigInt(v), BTT_DECIMALS)}`);

export function StatsPage() {
  const { api } = useApp();
  const stats = useQuery({ queryKey: ["stats"], queryFn: () => api.stats(), refetchInterval: 15_000 });
  const s = stats.data;
  return (
    <section className="page wide" aria-labelledby="stats-title">
      <h1 id="stats-title">Stats</h1>
      <p className="lead">Read from each chain at its final block. BTT amounts in BTT; BTTOLD in the legacy token.</p>
      {stats.isPending && <p role="status">Loading…</p>}
      {stats.isError && (
        <p role="alert" className="form-error">
          {stats.error.message}
        </p>
      )}
      {s && (
        <>
          <p className={`invariant ${s.invariant.holds ? "holds" : "violated"}`} data-testid="invariant" aria-live="polite">
            {s.invariant.holds ? "✓ The invariant holds" : "✗ The invariant is violated"}
            <span className="invariant-detail">
              Bridge {s.invariant.bridge.holds ? "holds" : "violated"}: locked {btt(s.invariant.bridge.locked)} BTT ≥ minted{" "}
              {btt(s.invariant.bridge.minted)} + in flight {btt(s.invariant.bridge.inFlight)} BTT
              {s.invariant.bridge.surplus !== "0" && ` (surplus ${btt(s.invariant.bridge.surplus)} BTT)`}.
            </span>
            <span className="invariant-detail">
              Swaps {s.invariant.swap.holds ? "hold" : "violated"}: reserve paid {btt(s.invariant.swap.reservePaid)} BTT, owed by Ethereum
              and BSC {btt(s.invariant.swap.owedByEvmSources)} BTT, in flight {btt(s.invariant.swap.evmInFlight)} BTT.
            </span>
          </p>
          <div className="panel table-wrap">
            <table>
              <caption className="muted">Per chain</caption>
              <thead>
                <tr>
                  <th scope="col">Chain</th>
                  <th scope="col">Locked (BTT)</th>
                  <th scope="col">Minted (BTT)</th>
                  <th scope="col">Swapped</th>
                  <th scope="col">Fees held (BTT)</th>
                  <th scope="col">Reserve (BTT)</th>
                  <th scope="col">In flight (BTT, transfers)</th>
                </tr>
              </thead>
              <tbody>
                {s.chains.map((c) => (
                  <StatsRow key={c.chain} stats={c} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function StatsRow({ stats: c }: { stats: ChainStats }) {
  // Remote chains count swaps in their legacy token's base units; BTTC in BTT paid from the reserve.
  const decimals = useLegacyDecimals(c.role === "remote" ? c.chain : "");
  const swapped =
    c.role === "bttc"
      ? `${btt(c.swapped)} BTT paid`
      : decimals.data === undefined
        ? `${c.swapped} base units`
        : `${formatAmount(BigInt(c.swapped), decimals.data)} BTTOLD`;
  return (
    <tr>
      <th scope="row">{chainLabel(c.chain)}</th>
      <td>{btt(c.locked)}</td>
      <td>{btt(c.minted)}</td>
      <td>{swapped}</td>
      <td>{btt(c.feesHeld)}</td>
      <td>{btt(c.reserveBalance)}</td>
      <td>
        {btt((BigInt(c.inFlight.bridge) + BigInt(c.inFlight.swap)).toString())} ({c.inFlight.transfers})
      </td>
    </tr>
  );
}
