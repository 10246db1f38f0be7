// When each block of a chain was made, by this process's clock: a `newHeads` subscription over the
// hardhat node's WebSocket records the wall time (Date.now()) at which each block number was first
// announced. The source's finality and the destination's inclusion are both read from such clocks, so
// the notification's own small delay is the same on both sides of a latency.

interface NewHeadsMessage {
  id?: number;
  result?: unknown;
  error?: { message?: string };
  method?: string;
  params?: { subscription?: string; result?: { number?: string } };
}

export class BlockClock {
  readonly name: string;
  private readonly seen = new Map<bigint, number>();
  private readonly socket: WebSocket;
  private highest = -1n;

  private constructor(name: string, socket: WebSocket) {
    this.name = name;
    this.socket = socket;
  }

  /** Connects to `httpUrl`'s WebSocket twin and resolves once the subscription is live. */
  static async open(name: string, httpUrl: string): Promise<BlockClock> {
    const socket = new WebSocket(httpUrl.replace(/^http/, "ws"));
    const clock = new BlockClock(name, socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no newHeads subscription within 10 s`)), 10_000);
      socket.addEventListener("error", () => reject(new Error(`${name}: WebSocket error`)), { once: true });
      socket.addEventListener("open", () => {
        socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
      });
      socket.addEventListener("message", (event: MessageEvent) => {
        const now = Date.now();
        const message = JSON.parse(String(event.data)) as NewHeadsMessage;
        if (message.id === 1) {
          clearTimeout(timer);
          if (message.error) reject(new Error(`${name}: eth_subscribe failed: ${message.error.message ?? "?"}`));
          else resolve();
          return;
        }
        const number = message.params?.result?.number;
        if (message.method === "eth_subscription" && typeof number === "string") clock.note(BigInt(number), now);
      });
    });
    return clock;
  }

  private note(block: bigint, at: number): void {
    if (!this.seen.has(block)) this.seen.set(block, at);
    if (block > this.highest) this.highest = block;
  }

  /** When `block` was announced; for a block never announced, the first later one that was (or null). */
  timeOf(block: bigint): number | null {
    const exact = this.seen.get(block);
    if (exact !== undefined) return exact;
    for (let b = block + 1n; b <= this.highest; b++) {
      const later = this.seen.get(b);
      if (later !== undefined) return later;
    }
    return null;
  }

  /** Blocks announced so far. */
  get count(): number {
    return this.seen.size;
  }

  close(): void {
    this.socket.close();
  }
}
