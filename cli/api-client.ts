// The CLI talks to the bridge the way a front end does: through the HTTP API. One small client, whose
// errors carry the API's stable code and message.
import { ApiCallError } from "./errors.ts";

export class ApiClient {
  readonly baseUrl: string;
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  async get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
    return this.call<T>(url, { method: "GET" });
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>(new URL(this.baseUrl + path), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  /** Server-sent events of `path`, each event's data parsed as JSON, until the stream ends or `signal` aborts. */
  async *events<T>(path: string, signal?: AbortSignal): AsyncGenerator<{ event: string; data: T }> {
    const response = await this.fetch(new URL(this.baseUrl + path), {
      headers: { accept: "text/event-stream" },
      ...(signal ? { signal } : {}),
    });
    if (!response.ok || !response.body) throw await this.errorOf(response);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        if (data.length > 0) yield { event, data: JSON.parse(data.join("\n")) as T };
      }
    }
  }

  private async call<T>(url: URL, init: RequestInit): Promise<T> {
    const response = await this.fetch(url, init);
    if (!response.ok) throw await this.errorOf(response);
    return (await response.json()) as T;
  }

  private async fetch(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ApiCallError(
        0,
        "API_UNREACHABLE",
        `no answer from the API at ${this.baseUrl} (${cause}); is the devnet running (npm start), or is --api right?`,
        { cause: error },
      );
    }
  }

  private async errorOf(response: Response): Promise<ApiCallError> {
    const text = await response.text();
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (body.error?.code) return new ApiCallError(response.status, body.error.code, body.error.message ?? "");
    } catch {
      // Not JSON: reported as it came.
    }
    return new ApiCallError(response.status, `HTTP_${response.status}`, text.slice(0, 200));
  }
}
