// Who delivers what: every transfer's route (source gateway -> destination chain) has a designated node,
// and the others stand by in a fixed order, each taking over only after its fallback delay. The order
// rotates by route, so that the routes' work spreads over the nodes.
import { routeHash } from "../../common/routes.ts";

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
