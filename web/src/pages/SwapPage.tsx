// Swap: legacy BTTOLD (TRC-10 on TRON, ERC-20/BEP-20 on Ethereum and BSC) for BTT on BTTC, 1:1000.
import { SwapForm } from "../components/SwapForm.tsx";

export function SwapPage() {
  return (
    <section className="page" aria-labelledby="swap-title">
      <h1 id="swap-title">Swap BTTOLD for BTT</h1>
      <p className="lead">1 BTTOLD becomes 1,000 BTT on BTTC. Send from TRON (TRC-10), Ethereum or BNB Chain.</p>
      <SwapForm />
    </section>
  );
}
