// `npm start`: the whole local testnet, until Ctrl-C (or SIGTERM), which stops every part it started.
import { parseOptions, USAGE } from "./options.ts";
import { startDevnet, type Progress } from "./start.ts";
import { summary } from "./summary.ts";
import { messageOf } from "../common/errors.ts";

const progress: Progress = {
  step: (what) => process.stdout.write(`  … ${what}\n`),
  done: (what, ms) => process.stdout.write(`  ✓ ${what} (${(ms / 1000).toFixed(1)} s)\n`),
  warn: (message) => process.stdout.write(`  ! ${message}\n`),
};

/** The devnet until Ctrl-C (`npm start -- <argv>`, or `bttb devnet <argv>`); exits the process when stopped. */
export async function runDevnet(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const options = parseOptions(argv, env);
  if (options.help) {
    console.log(USAGE);
    return;
  }
  console.log("Starting the BTT Bridge local testnet");
  const started = Date.now();

  // Installed before anything starts: a Ctrl-C while the devnet is still starting stops what it had
  // started so far, too.
  let stopParts: () => Promise<void> = () => Promise.resolve();
  let up = false;
  let stopping = false;
  const stop = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping everything the devnet started …`);
    await stopParts();
    console.log("stopped.");
    process.exit(code);
  };
  for (const [signal, name] of [
    ["SIGINT", "Ctrl-C"],
    ["SIGTERM", "SIGTERM"],
    ["SIGHUP", "SIGHUP"],
  ] as const) {
    process.on(signal, () => void stop(up ? name : `${name} while starting`, up ? 0 : 130));
  }

  let devnet;
  try {
    devnet = await startDevnet(options, progress, env, (stopper) => (stopParts = stopper));
  } catch (error) {
    if (stopping) return; // a Ctrl-C while starting: `stop` reports and exits
    throw error;
  }
  up = true;
  console.log(summary(devnet.info, devnet.infoFile, Date.now() - started));
  void devnet.failed.then((reason) => stop(`a part failed: ${reason}`, 1));
}

export function reportStartFailure(error: unknown): never {
  console.error(`\nThe devnet did not start: ${messageOf(error)}`);
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDevnet(process.argv.slice(2), process.env).catch(reportStartFailure);
}
