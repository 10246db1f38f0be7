// What happens when a check fails: the alarm is recorded in the state (once: each has a key, so a round
// run again after a failure or a restart does not raise it twice), logged (pino, level error), counted
// (`bttb_watchtower_alarms_total{kind}`), POSTed to the webhook in the background and, in `pause` mode,
// every gateway is paused with the guardian key (./pauser.ts). None of it waits on the webhook.
import type { Logger } from "pino";
import type { EvmChain } from "./evm.ts";
import type { AlarmKind } from "./matcher.ts";
import type { WatchtowerMetrics } from "./metrics.ts";
import type { Pauser } from "./pauser.ts";
import type { AlarmRecord, WatchtowerState } from "./state.ts";
import type { Webhook } from "./webhook.ts";

export interface Alarm {
  /** Unique per finding: the same finding raised again is ignored. */
  key: string;
  kind: AlarmKind;
  /** The chain it was found on (a delivery's destination; BTTC for the invariant). */
  chain: string;
  message: string;
  txHash?: string;
  transferId?: string;
}

export interface AlarmsDeps {
  state: WatchtowerState;
  metrics: WatchtowerMetrics;
  log: Logger;
  webhook: Webhook | null;
  pauser: Pauser | null;
  chains: readonly EvmChain[];
}

export class Alarms {
  readonly pauser: Pauser | null;
  private readonly deps: AlarmsDeps;

  constructor(deps: AlarmsDeps) {
    this.deps = deps;
    this.pauser = deps.pauser;
  }

  /** Raises `alarm` unless it was raised before; true when it is new. */
  raise(alarm: Alarm): boolean {
    const { state, metrics, log, webhook } = this.deps;
    const record: AlarmRecord = { ...alarm, at: new Date().toISOString() };
    if (!state.addAlarm(record)) return false;
    metrics.alarms.labels(alarm.kind).inc();
    metrics.alarmsRecorded.set(state.alarms.length);
    log.error({ alarm: record }, `ALARM ${alarm.kind} on ${alarm.chain}: ${alarm.message}`);
    webhook?.send({ source: "bttb-watchtower", mode: this.pauser ? "pause" : "alert", alarm: record });
    if (this.pauser) {
      state.requestPause(new Date());
      this.resumePause();
    }
    return true;
  }

  /** Pauses every gateway not seen paused yet, if a pause was called for (also after a restart). */
  resumePause(): void {
    const { state, metrics, chains } = this.deps;
    if (!this.pauser || !state.pause.requested) return;
    const left = chains.filter((c) => !state.pause.paused[c.name]);
    this.pauser.pauseAll(
      left.map((chain) => ({
        chain,
        onPaused: (how: string) => {
          state.markPaused(chain.name, how);
          metrics.paused.labels(chain.name).set(1);
        },
      })),
    );
  }

  async close(): Promise<void> {
    const { webhook } = this.deps;
    if (!webhook) return;
    // A last alarm gets a moment to leave; then the queue is dropped (it is in the log and the state).
    await Promise.race([webhook.idle(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    webhook.close();
  }
}
