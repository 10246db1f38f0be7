// Simple timers and counters for the relay benchmark, to say where the time goes without touching the
// relayer: every JSON-RPC request made through ethers in this process (by chain and method, with the
// wall time of its HTTP round trip), every co-signing request between the nodes (fetch), the CPU each
// process of the set-up used (hardhat nodes, Redis, this process), Redis's own per-command time, and how
// busy this process's event loop was. Requests marked with the BENCH_HEADER are the benchmark's own
// (load, miner, checks) and counted apart from the relayers'.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from "node:perf_hooks";
import { FetchRequest, type FetchGetUrlFunc } from "ethers";
import type { Redis } from "ioredis";

export const BENCH_HEADER = "x-bench";

interface Tally {
  count: number;
  ms: number;
}

function add(map: Map<string, Tally>, key: string, ms: number, count = 1): void {
  const t = map.get(key) ?? { count: 0, ms: 0 };
  t.count += count;
  t.ms += ms;
  map.set(key, t);
}

function rounded(map: Map<string, Tally>): Record<string, { count: number; ms: number; avgMs: number }> {
  return Object.fromEntries(
    [...map.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([k, t]) => [k, { count: t.count, ms: Math.round(t.ms), avgMs: t.count ? Math.round((t.ms / t.count) * 100) / 100 : 0 }]),
  );
}

/** Counts and times JSON-RPC requests sent through ethers, and peer co-signing requests sent with fetch. */
export class RequestMeter {
  /** `chain method` → requests (a JSON-RPC batch's time is shared out among its calls). */
  private readonly rpc = new Map<string, Tally>();
  /** HTTP round trips of JSON-RPC: one per request or batch. */
  private readonly httpRoundTrips = new Map<string, Tally>();
  private readonly peers = new Map<string, Tally>();
  private benchRequests = 0;
  private readonly chainOfPort = new Map<string, string>();

  /** Names the chain served on `port`, for the per-chain counts. */
  nameChain(port: string, name: string): void {
    this.chainOfPort.set(port, name);
  }

  install(): void {
    const base = FetchRequest.createGetUrlFunc();
    const wrapped: FetchGetUrlFunc = async (req, signal) => {
      const started = performance.now();
      try {
        return await base(req, signal);
      } finally {
        this.noteRpc(req, performance.now() - started);
      }
    };
    FetchRequest.registerGetUrl(wrapped);

    const fetchBefore = globalThis.fetch;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const started = performance.now();
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      try {
        const response = await fetchBefore(input, init);
        add(this.peers, `${new URL(url).pathname} ${response.status}`, performance.now() - started);
        return response;
      } catch (error) {
        // The proposer aborts the requests still out once it holds a threshold of signatures.
        const aborted = init?.signal?.aborted === true;
        add(this.peers, `${new URL(url).pathname} ${aborted ? "aborted" : "failed"}`, performance.now() - started);
        throw error;
      }
    };
  }

  private noteRpc(req: FetchRequest, ms: number): void {
    if (req.getHeader(BENCH_HEADER)) {
      this.benchRequests++;
      return;
    }
    const chain = this.chainOfPort.get(new URL(req.url).port) ?? "?";
    let methods: string[] = [];
    try {
      const body = JSON.parse(new TextDecoder().decode(req.body ?? new Uint8Array())) as { method?: string } | { method?: string }[];
      methods = (Array.isArray(body) ? body : [body]).map((p) => p.method ?? "?");
    } catch {
      methods = ["?"];
    }
    add(this.httpRoundTrips, `${chain} ${methods.length > 1 ? "batch" : "single"}`, ms);
    for (const method of methods) add(this.rpc, `${chain} ${method}`, ms / methods.length);
  }

  snapshot(): {
    rpcByMethod: ReturnType<typeof rounded>;
    rpcRoundTrips: ReturnType<typeof rounded>;
    peerRequests: ReturnType<typeof rounded>;
    benchOwnRpcRequests: number;
  } {
    return {
      rpcByMethod: rounded(this.rpc),
      rpcRoundTrips: rounded(this.httpRoundTrips),
      peerRequests: rounded(this.peers),
      benchOwnRpcRequests: this.benchRequests,
    };
  }

  reset(): void {
    this.rpc.clear();
    this.httpRoundTrips.clear();
    this.peers.clear();
    this.benchRequests = 0;
  }
}

// ----- CPU by process -----

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** User + system CPU seconds of a process from /proc (null if it cannot be read). */
function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the command: state is field 3, utime 14, stime 15 (1-based) → indexes 11, 12 here.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Processes whose command line holds `--port <port>` (a `hardhat node`, and any child of it). */
export function pidsListeningAs(port: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const i = args.indexOf("--port");
      if (i >= 0 && args[i + 1] === String(port)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** The machine's busy and total CPU seconds so far (all cores), from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0); // user … steal
    return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
  } catch {
    return { busy: 0, total: 0 };
  }
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const value = (key: string) => Number(new RegExp(`^${key}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return value("used_cpu_sys") + value("used_cpu_user");
}

async function redisCommandStats(redis: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const info = await redis.info("commandstats");
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    stats.set(match[1]!, { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

export interface CpuReport {
  wallSeconds: number;
  /** CPU seconds per process over the phase, and as a share of the machine's cores. */
  cpuSeconds: Record<string, number>;
  machineCoresBusy: number;
  /** Busy cores by the machine's own count (/proc/stat): above machineCoresBusy when other work ran. */
  machineCoresBusyAll: number;
  /** This process's event loop: share of the time it was running JavaScript (1 = saturated). */
  eventLoopUtilization: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Redis server-side time by command (calls, total ms), the busiest first. */
  redisCommands: Record<string, { calls: number; ms: number }>;
}

/** CPU of the set-up's processes, Redis command time and event-loop load between start() and stop(). */
export class CpuMeter {
  private readonly processes: Map<string, number[]>;
  private readonly redis: Redis;
  private startCpu = new Map<string, number>();
  private startRedisCpu = 0;
  private startStats = new Map<string, { calls: number; usec: number }>();
  private startWall = 0;
  private startMachine = { busy: 0, total: 0 };
  private startElu: EventLoopUtilization | null = null;
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });

  private readonly selfLabel: string;

  /** `processes`: name → pids; this process is added as `selfLabel`. */
  constructor(processes: Map<string, number[]>, redis: Redis, selfLabel: string) {
    this.processes = processes;
    this.redis = redis;
    this.selfLabel = selfLabel;
  }

  private cpuNow(): Map<string, number> {
    const now = new Map<string, number>();
    for (const [name, pids] of this.processes) {
      now.set(
        name,
        pids.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0),
      );
    }
    const own = process.cpuUsage();
    now.set(this.selfLabel, (own.user + own.system) / 1e6);
    return now;
  }

  async start(): Promise<void> {
    this.startCpu = this.cpuNow();
    this.startRedisCpu = await redisCpuSeconds(this.redis);
    this.startStats = await redisCommandStats(this.redis);
    this.startWall = performance.now();
    this.startMachine = machineCpu();
    this.startElu = performance.eventLoopUtilization();
    this.delay.reset();
    this.delay.enable();
  }

  async stop(): Promise<CpuReport> {
    const wall = (performance.now() - this.startWall) / 1000;
    const elu = performance.eventLoopUtilization(this.startElu ?? undefined);
    this.delay.disable();
    const cpu: Record<string, number> = {};
    for (const [name, value] of this.cpuNow()) cpu[name] = round2(value - (this.startCpu.get(name) ?? 0));
    cpu["redis-server"] = round2((await redisCpuSeconds(this.redis)) - this.startRedisCpu);
    const stats = await redisCommandStats(this.redis);
    const commands = [...stats.entries()]
      .map(([name, s]) => {
        const before = this.startStats.get(name) ?? { calls: 0, usec: 0 };
        return [name, { calls: s.calls - before.calls, ms: Math.round((s.usec - before.usec) / 1000) }] as const;
      })
      .filter(([, s]) => s.calls > 0)
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 12);
    const total = Object.values(cpu).reduce((a, b) => a + b, 0);
    const machine = machineCpu();
    return {
      wallSeconds: round2(wall),
      cpuSeconds: cpu,
      machineCoresBusy: wall > 0 ? round2(total / wall) : 0,
      machineCoresBusyAll: wall > 0 ? round2((machine.busy - this.startMachine.busy) / wall) : 0,
      eventLoopUtilization: round2(elu.utilization),
      eventLoopDelayP99Ms: round2(this.delay.percentile(99) / 1e6),
      eventLoopDelayMaxMs: round2(this.delay.max / 1e6),
      redisCommands: Object.fromEntries(commands),
    };
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

// ----- CPU profile of this process -----

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Samples this process's JavaScript (node:inspector) and sums self time by package or source file. */
export class Profiler {
  private session: Session | null = null;

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post("Profiler.enable");
    await this.session.post("Profiler.setSamplingInterval", { interval: 500 });
    await this.session.post("Profiler.start");
  }

  /** Stops, writes the raw profile to `path` (for Chrome DevTools) and sums it up. */
  async stop(path: string): Promise<{ byGroup: Record<string, number>; topFunctions: Record<string, number> }> {
    if (!this.session) return { byGroup: {}, topFunctions: {} };
    const { profile } = (await this.session.post("Profiler.stop")) as unknown as {
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    };
    this.session.disconnect();
    writeFileSync(path, JSON.stringify(profile));
    const selfMs = new Map<number, number>();
    profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
    const byGroup = new Map<string, number>();
    const byFunction = new Map<string, number>();
    for (const node of profile.nodes) {
      const ms = selfMs.get(node.id) ?? 0;
      if (ms === 0) continue;
      const group = groupOf(node.callFrame.url, node.callFrame.functionName);
      byGroup.set(group, (byGroup.get(group) ?? 0) + ms);
      const fn = `${node.callFrame.functionName || "(anonymous)"} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    }
    const top = (m: Map<string, number>, n: number) =>
      Object.fromEntries(
        [...m.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, n)
          .map(([k, v]) => [k, Math.round(v)]),
      );
    return { byGroup: top(byGroup, 20), topFunctions: top(byFunction, 25) };
  }
}

function groupOf(url: string, functionName: string): string {
  if (!url) return functionName || "(native)";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "/node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return "node (built-in modules)";
  const m = /\/(relayer|common|bench|deploy|testkit)\/(.*)$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : shortUrl(url);
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + "/node_modules/".length);
  const m = /\/(relayer|common|bench|deploy|testkit)\/.*$/.exec(url);
  return m ? m[0].slice(1) : url;
}

// ----- method timers -----

type AnyMethod = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps methods of classes (by prototype, private ones included) with a timer: each call's count and wall
 * time until its promise settles. Calls overlap (several jobs at once), so times add up past wall time.
 * Measurement only: arguments, results and errors pass through unchanged.
 */
export class MethodTimers {
  private readonly spans = new Map<string, Tally>();

  wrap(label: string, prototype: object, names: readonly string[]): void {
    const methods = prototype as Record<string, AnyMethod>;
    for (const name of names) {
      const original = methods[name];
      if (typeof original !== "function") throw new Error(`${label}.${name} is not a method`);
      const spans = this.spans;
      methods[name] = function (this: unknown, ...args: unknown[]): unknown {
        const started = performance.now();
        const result = original.apply(this, args);
        if (result instanceof Promise) {
          return result.finally(() => add(spans, `${label}.${name}`, performance.now() - started));
        }
        add(spans, `${label}.${name}`, performance.now() - started);
        return result;
      };
    }
  }

  snapshot(): ReturnType<typeof rounded> {
    return rounded(this.spans);
  }

  reset(): void {
    this.spans.clear();
  }
}
