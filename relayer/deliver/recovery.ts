// Picking up what a drain or a process left half-way: transfers left `attested` (a drain that died
// between the attested and the submitted write) go back to `deliver`, periodically and after a restart,
// and a restart follows again every transaction still `submitted`.
import { groupBy } from "../../common/group-by.ts";
import { destinationOfRoute, routeKey } from "../../common/routes.ts";
import type { DeliverStage } from "./deliver-stage.ts";
import type { Designation } from "./designation.ts";
import type { DeliveryPipelineOptions, FollowDelivery } from "../queues/options.ts";
import { lockRoute } from "./route-lock.ts";

export class Recovery {
  private readonly o: DeliveryPipelineOptions;
  private readonly deliver: DeliverStage;
  private readonly designation: Designation;
  private readonly follow: FollowDelivery;
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(options: DeliveryPipelineOptions, deliver: DeliverStage, designation: Designation, follow: FollowDelivery) {
    this.o = options;
    this.deliver = deliver;
    this.designation = designation;
    this.follow = follow;
  }

  /** Sweeps every attestedSweepMs until stopSweeping (one sweep at a time). */
  startSweeping(): void {
    this.sweeper = setInterval(() => {
      this.sweeping ??= this.sweepAttested()
        .then(() => undefined)
        .catch((error: unknown) => this.o.log.warn({ err: String(error) }, "sweep of attested transfers failed"))
        .finally(() => (this.sweeping = null));
    }, this.o.attestedSweepMs ?? 10_000);
    this.sweeper.unref();
  }

  /** Stops sweeping, waiting for a sweep under way. */
  async stopSweeping(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.sweeping;
  }

  /**
   * Sends back to `deliver` the transfers left `attested` by a drain that is gone (an error between the
   * attested and the submitted write, a process of this node that died). A drain holds its route's lock
   * from attesting a batch until the batch is submitted or put back, so an attested transfer on a route
   * whose lock this process can take has no drain left; a route locked by a live drain (of this or
   * another process of the node) is left to it. Only transfers attested before `olderThan` (ms) move.
   */
  async resetOrphans(detail: string, olderThan = Number.POSITIVE_INFINITY): Promise<number> {
    const { store } = this.o;
    const states = await store.getMany(await store.idsWithStatus("attested"));
    const byRoute = groupBy(
      states.flatMap((s) => (s?.status === "attested" && s.updatedAt < olderThan ? [s.observed] : [])),
      (o) => routeKey(o.transfer),
    );
    let moved = 0;
    for (const [route, observed] of byRoute) {
      const lock = await lockRoute(this.o.redis, this.o.prefix, route, this.o.nodeId);
      if (!lock) continue;
      try {
        // Read again under the lock: a drain may have submitted them and let go since the first read.
        const still = (await store.getMany(observed.map((o) => o.id))).flatMap((s) => (s?.status === "attested" ? [s.observed.id] : []));
        const results = await store.transitionMany(still, "finalized", { detail, from: ["attested"] });
        moved += results.filter((r) => r.changed).length;
      } finally {
        await lock.release();
      }
      if (this.o.destinations.has(destinationOfRoute(route))) await this.deliver.followUp(route);
    }
    return moved;
  }

  /** The periodic form of resetOrphans: what has been attested for longer than attestedTimeoutMs. */
  async sweepAttested(now = Date.now()): Promise<number> {
    const moved = await this.resetOrphans(
      "left attested by a delivery that did not finish; tried again",
      now - (this.o.attestedTimeoutMs ?? 60_000),
    );
    if (moved > 0) this.o.log.warn({ transfers: moved }, "transfers left attested sent back to delivery");
    return moved;
  }

  /** After a (re)start: sends back to `deliver` what was left mid-way, and re-follows what was submitted. */
  async recover(): Promise<void> {
    const { store } = this.o;
    await this.resetOrphans("resumed after a restart");
    for (const route of await store.readyRoutes()) {
      if (this.o.destinations.has(destinationOfRoute(route))) {
        await this.deliver.schedule(route, this.designation.delayFor(route), `recover-${Date.now()}`);
      }
    }
    for (const id of await store.idsWithStatus("submitted")) {
      const record = await store.get(id);
      const submitted = record?.timeline.findLast((e) => e.status === "submitted");
      if (!record || !submitted?.txHash) continue;
      await this.follow(record.observed.transfer.dstChainId, submitted.txHash, [id], `confirm-${submitted.txHash}-${id}`);
    }
  }
}
