// Who delivers what: every transfer's route (source gateway -> destination chain) has a designated node,
// and the others stand by in a fixed order, each taking over only after its fallback delay. The order
// rotates by route, so that the routes' work spreads over the nodes. Only nodes in the destination's
// current validator set take part (as this node last read it): a node rotated out, or one listed as a
// peer before it is added, neither designated nor standing by there.
import { destinationOfRoute, routeHash } from "../../common/routes.ts";
import type { TransferStore } from "../store/transfer-store.ts";

/** While the route's designated node is delivering, a fallback node takes over only transfers that have
 * waited this many times its own fallback delay (it still takes over if the route stands still). */
const TAKEOVER_PATIENCE = 3;

/**
 * This node's place (0 = designated) among `nodeIds` for `route`: the ids sorted, then rotated by a hash
 * of the route. Every node computes the same order from the same list.
 */
export function rankFor(route: string, self: string, nodeIds: readonly string[]): number {
  const sorted = [...new Set(nodeIds)].sort();
  const index = sorted.indexOf(self);
  if (index < 0) throw new Error(`node ${self} is not in the node list`);
  const offset = Number(routeHash(route) % BigInt(sorted.length));
  return (index - offset + sorted.length) % sorted.length;
}

/** Which of the nodes a destination's validator set holds (attest/validator-sets.ts). */
export interface SetMembership {
  /** Of `nodeIds`, those in `dstChainId`'s current set; null while it is not known. */
  membersOf(dstChainId: bigint, nodeIds: readonly string[]): readonly string[] | null;
}

/** This node's place on each route, and when it falls back. */
export class Designation {
  private readonly nodeId: string;
  private readonly nodeIds: readonly string[];
  private readonly fallbackMs: number;
  private readonly store: TransferStore;
  private readonly sets: SetMembership | undefined;

  constructor(options: {
    nodeId: string;
    nodeIds: readonly string[];
    fallbackMs: number;
    store: TransferStore;
    validatorSets?: SetMembership | undefined;
  }) {
    this.nodeId = options.nodeId;
    this.nodeIds = options.nodeIds;
    this.fallbackMs = options.fallbackMs;
    this.store = options.store;
    this.sets = options.validatorSets;
  }

  /** The nodes that deliver on `route`: those in its destination's set (every node while it is unknown). */
  private deliverers(route: string): readonly string[] {
    return this.sets?.membersOf(destinationOfRoute(route), this.nodeIds) ?? this.nodeIds;
  }

  /** This node's place among the route's deliverers; past the last of them when it is not one. */
  rank(route: string): number {
    const deliverers = this.deliverers(route);
    return deliverers.includes(this.nodeId) ? rankFor(route, this.nodeId, deliverers) : deliverers.length;
  }

  /** How long this node leaves new work on `route` to the nodes before it. */
  delayFor(route: string): number {
    return this.rank(route) * this.fallbackMs;
  }

  /**
   * For a fallback node: whether to leave the route to the nodes before it for now. It does while the
   * route is moving — within the last fallback delay a transfer on it completed, or this node co-signed
   * a batch of it for a peer — and nothing has waited much longer than this node's own delay; it takes
   * over a route that stands still, or whose deliverer proposes without delivering.
   */
  async designatedIsDelivering(route: string, rank: number): Promise<boolean> {
    const now = Date.now();
    const lastProgress = await this.store.lastProgressOn(route);
    if (lastProgress === null || lastProgress < now - this.fallbackMs) return false;
    const overdue = await this.store.readyOnRoute(route, 1, now - rank * this.fallbackMs * TAKEOVER_PATIENCE);
    return overdue.length === 0;
  }
}
