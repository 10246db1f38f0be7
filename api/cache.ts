// A small time-to-live cache for chain reads behind quotes: under load, one RPC call answers every
// request of the next `ttlMs`, and concurrent callers share the call in flight rather than each making
// their own. A failed read is not kept.
export class TtlCache {
  private readonly ttlMs: number;
  private readonly entries = new Map<string, { until: number; value: Promise<unknown> }>();

  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }

  get<T>(key: string, load: () => Promise<T>, ttlMs = this.ttlMs): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    const value = load();
    this.entries.set(key, { until: now + ttlMs, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}
