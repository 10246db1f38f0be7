// Who delivers what: every transfer's route (source gateway -> destination chain) has a designated node,
// and the others stand by in a fixed order, each taking over only after its fallback delay. The order
// rotates by route, so that the routes' work spreads over the nodes.
import { keccak256, toUtf8Bytes } from "ethers";
import type { Transfer } from "../../common/transfer.ts";

export function routeKey(t: Pick<Transfer, "srcChainId" | "srcGateway" | "dstChainId">): string {
  return `${t.srcChainId}:${t.srcGateway.toLowerCase()}:${t.dstChainId}`;
}

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

// Every enqueued transfer asks for its route's rank: hash each route once (routes are few).
const routeHashes = new Map<string, bigint>();
function routeHash(route: string): bigint {
  let hash = routeHashes.get(route);
  if (hash === undefined) {
    hash = BigInt(keccak256(toUtf8Bytes(route)));
    if (routeHashes.size < 10_000) routeHashes.set(route, hash);
  }
  return hash;
}

/** A short tag for `route` that can go into a BullMQ job id (route keys hold ':', which job ids must not). */
export function routeTag(route: string): string {
  return routeHash(route).toString(16).padStart(64, "0").slice(0, 16);
}

/** The destination chain id of a route key. */
export function destinationOfRoute(route: string): bigint {
  return BigInt(route.slice(route.lastIndexOf(":") + 1));
}
