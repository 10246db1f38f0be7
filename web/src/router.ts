// A hash router: #/swap (the default), #/bridge, #/transfers, #/transfer/<id>, #/stats. Static hosting
// needs nothing more, and a link to a transfer can be shared.
import { useEffect, useState } from "react";

export type Route =
  | { page: "swap" }
  | { page: "bridge" }
  | { page: "transfers"; query: string | null }
  | { page: "transfer"; id: string }
  | { page: "stats" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, "");
  const [head = "", ...rest] = path.split("/");
  const tail = decodeURIComponent(rest.join("/"));
  switch (head) {
    case "bridge":
      return { page: "bridge" };
    case "transfers":
      return { page: "transfers", query: tail || null };
    case "transfer":
      return tail ? { page: "transfer", id: tail } : { page: "transfers", query: null };
    case "stats":
      return { page: "stats" };
    default:
      return { page: "swap" };
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

export function navigate(hash: string): void {
  window.location.hash = hash;
}

export const transferHref = (id: string) => `#/transfer/${id}`;
