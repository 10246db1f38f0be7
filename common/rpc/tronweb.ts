// A TronWeb client for reading a TRON node's HTTP API (java-tron, TronGrid, or the development node), for
// the relayer and the API; no key, no event server of its own.
import { TronWeb, providers } from "tronweb";

export interface TronEndpoint {
  /** The node's HTTP API, e.g. http://127.0.0.1:9090 or https://api.trongrid.io. */
  fullHost: string;
  /** Where `walletsolidity/*` is served, if not at `fullHost` (java-tron's solidity port, 8091). */
  solidityHost?: string;
  /** Sent with every request, e.g. `{ "TRON-PRO-API-KEY": key }` for TronGrid. */
  headers?: Record<string, string>;
  /** Per HTTP request. Default 30 s. */
  timeoutMs?: number;
}

export function createTronWeb(endpoint: TronEndpoint): TronWeb {
  const timeout = endpoint.timeoutMs ?? 30_000;
  const headers = endpoint.headers ?? {};
  const provider = (host: string) => new providers.HttpProvider(host, timeout, "", "", headers);
  return new TronWeb({
    fullNode: provider(endpoint.fullHost),
    solidityNode: provider(endpoint.solidityHost ?? endpoint.fullHost),
    eventServer: provider(endpoint.fullHost),
  });
}
