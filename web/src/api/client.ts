// The API over fetch: JSON in, JSON out, and every refusal as an ApiRequestError carrying the API's
// stable code, so that the page can put the message next to the field it concerns.
import type { Built, ChainInfo, ClaimAnswer, DeliveryAnswer, HistoryPage, Quote, Stats, Transfer } from "./types.ts";

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiRequestError";
    this.status = status;
    this.code = code;
  }
}

export class ApiClient {
  readonly baseUrl: string;
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, init);
    } catch {
      throw new ApiRequestError(0, "NETWORK", `The API at ${this.baseUrl} did not answer. Check your connection and try again.`);
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: handled below
    }
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiRequestError(response.status, error?.code ?? "HTTP_" + response.status, error?.message ?? `HTTP ${response.status}`);
    }
    return body as T;
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }

  chains(): Promise<{ chains: ChainInfo[] }> {
    return this.request("/v1/chains");
  }
  quote(params: { kind: "bridge" | "swap"; from: string; to?: string; amount: bigint }): Promise<Quote> {
    const q = new URLSearchParams({ kind: params.kind, from: params.from, amount: params.amount.toString() });
    if (params.to) q.set("to", params.to);
    return this.request(`/v1/quote?${q.toString()}`);
  }
  swap(body: { from: string; amount: bigint; sender: string; recipient: string }): Promise<Built> {
    return this.post("/v1/swaps", { ...body, amount: body.amount.toString() });
  }
  bridge(body: { from: string; to: string; amount: bigint; sender: string; recipient: string }): Promise<Built> {
    return this.post("/v1/bridge", { ...body, amount: body.amount.toString() });
  }
  broadcast(chain: string, signedTransaction: unknown): Promise<{ chain: string; txHash: string }> {
    return this.post("/v1/broadcast", { chain, signedTransaction });
  }
  transfer(id: string): Promise<Transfer> {
    return this.request(`/v1/transfers/${encodeURIComponent(id)}`);
  }
  bySourceTx(hash: string): Promise<HistoryPage> {
    return this.request(`/v1/transfers?srcTx=${encodeURIComponent(hash)}`);
  }
  history(address: string, cursor?: string): Promise<HistoryPage> {
    const q = new URLSearchParams({ address, limit: "20" });
    if (cursor) q.set("cursor", cursor);
    return this.request(`/v1/transfers?${q.toString()}`);
  }
  delivery(id: string): Promise<DeliveryAnswer> {
    return this.request(`/v1/transfers/${encodeURIComponent(id)}/delivery`);
  }
  claim(address: string): Promise<ClaimAnswer> {
    return this.request(`/v1/claims/${encodeURIComponent(address)}?chain=bttc`);
  }
  stats(): Promise<Stats> {
    return this.request("/v1/stats");
  }
  eventsUrl(id: string): string {
    return `${this.baseUrl}/v1/transfers/${encodeURIComponent(id)}/events`;
  }
}
