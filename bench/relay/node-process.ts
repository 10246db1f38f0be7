// One relayer node as a child process of the relay benchmark (`--relayers process`), started with
// child_process.fork so that the benchmark can ask it, over the IPC channel, for its counters: the same
// RPC/peer request meter, event-loop load and optional CPU profile as the in-process mode has.
//   argv[2]: a JSON file { config, logFile } (config: the raw relayer configuration; keys come from
//   this process's environment, as `npm run relayer` reads them)
//   messages in:  { type: "reset", profile: boolean } | { type: "report", profilePath?: string } | { type: "stop" }
//   messages out: { type: "started" } | { type: "report", report } | { type: "stopped" } | { type: "error", message }
import { readFileSync } from "node:fs";
import { performance, type EventLoopUtilization } from "node:perf_hooks";
import { pino } from "pino";
import { parseRelayerConfig } from "../../relayer/config.ts";
import { RelayerNode } from "../../relayer/node.ts";
import { Profiler, RequestMeter, type MethodTimers } from "./instruments.ts";
import { installRelayerTimers } from "./timers.ts";

export type ToNode = { type: "reset"; profile: boolean } | { type: "report"; profilePath?: string } | { type: "stop" };

export interface NodeReport {
  eventLoopUtilization: number;
  requests: ReturnType<RequestMeter["snapshot"]>;
  steps: ReturnType<MethodTimers["snapshot"]>;
  profile: Awaited<ReturnType<Profiler["stop"]>> | null;
}

export type FromNode =
  { type: "started" } | { type: "report"; report: NodeReport } | { type: "stopped" } | { type: "error"; message: string };

const send = (message: FromNode) => process.send?.(message);

const spec = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as { config: unknown; logFile: string; chainPorts: Record<string, string> };
const meter = new RequestMeter();
for (const [port, name] of Object.entries(spec.chainPorts)) meter.nameChain(port, name);
meter.install();
const timers = installRelayerTimers();
const config = parseRelayerConfig(spec.config);
const log = pino({ level: "warn" }, pino.destination({ dest: spec.logFile, sync: false, append: true })).child({ node: config.id });
const node = new RelayerNode({ config, env: process.env, log });
let elu: EventLoopUtilization = performance.eventLoopUtilization();
let profiler: Profiler | null = null;

process.on("message", (message: ToNode) => {
  void (async () => {
    if (message.type === "reset") {
      meter.reset();
      timers.reset();
      elu = performance.eventLoopUtilization();
      if (message.profile) {
        profiler = new Profiler();
        await profiler.start();
      }
    } else if (message.type === "report") {
      const profile = profiler && message.profilePath ? await profiler.stop(message.profilePath) : null;
      profiler = null;
      send({
        type: "report",
        report: {
          eventLoopUtilization: Math.round(performance.eventLoopUtilization(elu).utilization * 100) / 100,
          requests: meter.snapshot(),
          steps: timers.snapshot(),
          profile,
        },
      });
    } else {
      await node.stop();
      send({ type: "stopped" });
      log.flush();
      setTimeout(() => process.exit(0), 200);
    }
  })().catch((error: unknown) => send({ type: "error", message: error instanceof Error ? error.message : String(error) }));
});

try {
  await node.start();
  send({ type: "started" });
} catch (error) {
  send({ type: "error", message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
