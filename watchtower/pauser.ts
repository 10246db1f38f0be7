// In `pause` mode, an alarm pauses every gateway on every chain with the guardian key: each chain on its
// own, at once and in parallel, retried until that gateway is seen paused (a gateway already paused is
// left alone: `pause()` would revert). BTTC takes legacy transactions only (docs/operations.md, "Fees").
// The pause asked for is in the state, so a watchtower restarted half-way goes on with the chains left.
import type { Contract, Wallet } from "ethers";
import type { Logger } from "pino";
import { sleep } from "../common/async.ts";
import { sendsLegacy } from "../common/chains/fees.ts";
import { messageOf } from "../common/errors.ts";
import type { EvmChain } from "./evm.ts";

export interface PauseTarget {
  chain: EvmChain;
  /** Called once the gateway is seen paused: `how` is the pause transaction's hash, or "already". */
  onPaused: (how: string) => void;
}

export class Pauser {
  private readonly guardian: Wallet;
  private readonly log: Logger;
  private readonly retryMs: number;
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(guardian: Wallet, log: Logger, retryMs = 1_000) {
    this.guardian = guardian;
    this.log = log;
    this.retryMs = retryMs;
  }

  get address(): string {
    return this.guardian.address;
  }

  /** Starts pausing each target not being paused already; returns at once. */
  pauseAll(targets: readonly PauseTarget[]): void {
    for (const target of targets) {
      if (this.running.has(target.chain.name)) continue;
      this.running.set(
        target.chain.name,
        this.pauseOne(target).finally(() => this.running.delete(target.chain.name)),
      );
    }
  }

  /** Resolves when every pause under way is done (or stopped). */
  async settled(): Promise<void> {
    await Promise.all(this.running.values());
  }

  stop(): void {
    this.stopped = true;
  }

  private async pauseOne(target: PauseTarget): Promise<void> {
    const { chain } = target;
    const gateway = chain.gateway.connect(this.guardian.connect(chain.provider)) as Contract;
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        if (await chain.paused()) {
          this.log.info({ chain: chain.name }, "gateway is paused");
          target.onPaused("already");
          return;
        }
        const legacy = await sendsLegacy(chain.provider, chain.config.fees.type);
        const overrides = legacy ? { type: 0, gasPrice: (await chain.provider.getFeeData()).gasPrice ?? undefined } : {};
        const tx = (await gateway.getFunction("pause")(overrides)) as { hash: string; wait(): Promise<unknown> };
        this.log.warn({ chain: chain.name, txHash: tx.hash }, "pause sent");
        await tx.wait();
        if (await chain.paused()) {
          this.log.warn({ chain: chain.name, txHash: tx.hash }, "gateway paused");
          target.onPaused(tx.hash);
          return;
        }
      } catch (error) {
        // Someone else may have paused it meanwhile (then pause() reverts GatewayPaused): the next look says.
        this.log.error({ chain: chain.name, attempt, err: messageOf(error) }, "pause failed; trying again");
      }
      await sleep(this.retryMs);
    }
  }
}
