// Bridge: BTT between BTTC (native, locked), Ethereum and BNB Chain (bridged, burnt and minted).
import { BridgeForm } from "../components/BridgeForm.tsx";

export function BridgePage() {
  return (
    <section className="page" aria-labelledby="bridge-title">
      <h1 id="bridge-title">Bridge BTT</h1>
      <p className="lead">
        Move BTT between BTTC, Ethereum and BNB Chain. The validators attest each transfer; it arrives after both chains are final.
      </p>
      <BridgeForm />
    </section>
  );
}
