// `bttb validators propose`: reads every gateway's current validator set, applies the change asked
// (--add, --remove, --replace old=new, --threshold), and writes a proposal file for the current set's
// operators to approve. Refuses, naming what is wrong, a change that does not fit the current set, a
// threshold not above half, a deadline in the past, gateways that hold different sets, or no change.
import { PROPOSAL_KIND, type Proposal } from "../../common/validators/proposal.ts";
import { ValidatorSetError } from "../../common/validators/errors.ts";
import { applyChange, type SetChange, type ValidatorSet } from "../../common/validators/validator-set.ts";
import { UsageError } from "../errors.ts";
import { readSets, type GatewayEndpoint } from "./validators-gateways.ts";

/** The deadline a proposal gets without --deadline: a day to gather approvals and submit. */
export const DEFAULT_DEADLINE_SECONDS = 24n * 3600n;

/** `--deadline`: a duration from now (`90s`, `30m`, `12h`, `2d`) or a unix time in seconds. */
export function parseDeadline(text: string, nowSeconds: bigint): bigint {
  const duration = /^(\d+)(s|m|h|d)$/.exec(text);
  if (duration) {
    const unit = { s: 1n, m: 60n, h: 3600n, d: 86_400n }[duration[2] as "s" | "m" | "h" | "d"];
    return nowSeconds + BigInt(duration[1]!) * unit;
  }
  if (/^\d{1,20}$/.test(text)) return BigInt(text);
  throw new UsageError(`--deadline takes a duration (90s, 30m, 12h, 2d) or a unix time in seconds, not "${text}"`);
}

export interface ProposeOptions {
  change: SetChange;
  /** Unix seconds. */
  deadline: bigint;
  now?: bigint;
}

/** The proposal for `gateways` (each gateway's set read from its chain) under `options`. */
export async function proposeValidatorSet(
  gateways: readonly GatewayEndpoint[],
  options: ProposeOptions,
): Promise<{ proposal: Proposal; current: ValidatorSet }> {
  if (gateways.length === 0) throw new UsageError("no EVM gateway found (is the devnet running, or --api right?)");
  const now = options.now ?? BigInt(Math.floor(Date.now() / 1000));
  if (options.deadline <= now) {
    throw new ValidatorSetError("DEADLINE_PASSED", `the deadline ${options.deadline} is not in the future (it is ${now} now)`);
  }
  const read = await readSets(gateways);
  const first = read[0]!;
  // One change for every gateway: it must mean the same on each, so they must hold the same set.
  const differ = read.filter((g) => g.set.threshold !== first.set.threshold || g.set.validators.join() !== first.set.validators.join());
  if (differ.length > 0) {
    const show = (g: (typeof read)[number]) => `${g.chain} (epoch ${g.set.epoch}): ${g.set.threshold} of [${g.set.validators.join(", ")}]`;
    throw new ValidatorSetError(
      "SETS_DIFFER",
      `the gateways hold different validator sets — ${[first, ...differ].map(show).join("; ")} — submit the proposal under way first, or bring them to one set`,
    );
  }
  const next = applyChange(first.set, options.change);
  if (next.threshold === first.set.threshold && next.validators.join() === first.set.validators.join()) {
    throw new ValidatorSetError(
      "NO_CHANGE",
      `the proposal leaves the set as it is (${first.set.threshold} of ${first.set.validators.length})`,
    );
  }
  const proposal: Proposal = {
    kind: PROPOSAL_KIND,
    version: 1,
    validators: next.validators,
    threshold: next.threshold,
    deadline: options.deadline,
    gateways: read.map((g) => ({ chain: g.chain, chainId: g.chainId, gateway: g.gateway, epoch: g.set.epoch + 1n })),
    approvals: [],
  };
  return { proposal, current: first.set };
}
