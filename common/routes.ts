// A route is where transfers go in one batch: from one source gateway to one destination chain. Its key
// indexes the transfers waiting on it (the relayer's ready sets) and its hash spreads routes over nodes.
import { keccak256, toUtf8Bytes } from "ethers";
import type { Transfer } from "./transfer.ts";

/** `<srcChainId>:<srcGateway, lower case>:<dstChainId>`. */
export function routeKey(t: Pick<Transfer, "srcChainId" | "srcGateway" | "dstChainId">): string {
  return `${t.srcChainId}:${t.srcGateway.toLowerCase()}:${t.dstChainId}`;
}

/** The destination chain id of a route key. */
export function destinationOfRoute(route: string): bigint {
  return BigInt(route.slice(route.lastIndexOf(":") + 1));
}

// Every enqueued transfer asks for its route's hash: hash each route once (routes are few).
const routeHashes = new Map<string, bigint>();

/** keccak256 of the route key, as a number (the same on every node). */
export function routeHash(route: string): bigint {
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
