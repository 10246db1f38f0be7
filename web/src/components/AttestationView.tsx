// How many validators signed the transfer, of how many, and who.
import type { Transfer } from "../api/types.ts";

export function AttestationView({ transfer }: { transfer: Transfer }) {
  const a = transfer.attestation;
  if (!a && transfer.signatures === null) return null;
  return (
    <div className="panel" data-testid="attestation">
      <h2>Attestation</h2>
      {a ? (
        <>
          <p>
            {a.signatures} of {a.validators} signatures (threshold {a.threshold})
          </p>
          <ul className="signers">
            {a.signers.map((s) => (
              <li key={s}>
                <code>{s}</code>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>{transfer.signatures} signatures collected</p>
      )}
    </div>
  );
}
