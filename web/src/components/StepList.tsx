// The transactions of a swap or bridge as they are signed and sent, announced politely as they change.
import type { StepProgress } from "../flow/send-steps.ts";
import { chainLabel } from "../chains.ts";

const STATE_TEXT = {
  waiting: "waiting",
  signing: "sign in your wallet…",
  confirming: "sent, waiting for its block…",
  done: "done",
  failed: "failed",
} as const;

export function StepList({ steps }: { steps: StepProgress[] }) {
  if (steps.length === 0) return null;
  return (
    <ol className="steps" aria-label="Transactions" aria-live="polite">
      {steps.map((s, i) => (
        <li key={i} className={`step step-${s.state}`}>
          <span className="step-title">
            {i + 1}. {s.action} on {chainLabel(s.chain)}
          </span>
          <span className="step-state">{STATE_TEXT[s.state]}</span>
          {s.txHash && <code className="hash">{s.txHash}</code>}
        </li>
      ))}
    </ol>
  );
}
