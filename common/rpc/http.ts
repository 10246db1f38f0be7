// What every RPC client reads from or shows of an HTTP endpoint: the Retry-After hint, and its URL
// without secrets.

/** A Retry-After header's value in ms: delta-seconds or an HTTP date; undefined if absent or unreadable. */
export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** An RPC URL fit for messages and logs: no credentials, query or key-like path segments. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname
      .split("/")
      .map((segment) => (segment.length >= 16 ? "***" : segment))
      .join("/");
    return `${parsed.protocol}//${parsed.host}${path === "/" ? "" : path}${parsed.search ? "?***" : ""}`;
  } catch {
    return "(invalid URL)";
  }
}
