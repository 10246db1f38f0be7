// A transfer's timeline: one entry per step, with its status word, time and transaction hash.
import type { TimelineEntry } from "../api/types.ts";

export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  return (
    <ol className="timeline" aria-label="Timeline">
      {entries.map((e, i) => (
        <li key={i}>
          <strong>{e.status}</strong>
          <time className="when" dateTime={e.at}>
            {new Date(e.at).toLocaleString()}
          </time>
          {e.detail && <span className="detail">{e.detail}</span>}
          {e.txHash && (
            <span className="detail">
              tx <code className="hash">{e.txHash}</code>
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}
