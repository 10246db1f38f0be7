// `bttb validators submit`: brings an approved proposal to every gateway it names. For each, once a
// threshold of that gateway's *current* set has approved, it sends `updateValidatorSet` with exactly the
// threshold of their signatures, ascending by signer (a legacy transaction where the chain takes no
// other: BTTC), and tries again — reading the gateway anew each time — until the gateway has moved or
// the time is up. A gateway at or past the proposal's epoch is reported as moved: submitting is
// idempotent, and anyone may do it (the signatures, not the sender, authorise the update).
import { Contract, Wallet } from "ethers";
import { sleep } from "../../common/async.ts";
import { legacyGasPrice } from "../../common/chains/fees.ts";
import { contractInterface } from "../../common/contracts/artifacts.ts";
import { messageOf } from "../../common/errors.ts";
import { readValidatorSet } from "../../common/validators/gateway-set.ts";
import { approvalsFor, updateFor, type Proposal, type ProposalGateway } from "../../common/validators/proposal.ts";
import { recoverUpdateSigner } from "../../common/validators/set-update.ts";
import { withChain, type GatewayEndpoint } from "./validators-gateways.ts";

export type SubmitOutcome =
  | { chain: string; outcome: "moved"; epoch: string; txHash: string }
  | { chain: string; outcome: "already"; epoch: string }
  | { chain: string; outcome: "failed"; reason: string };

export interface SubmitOptions {
  privateKey: string;
  /** How long each gateway is tried (default 120 s). */
  timeoutMs?: number;
  /** Pause between tries (default 2 s). */
  retryMs?: number;
  /** Unix seconds now (tests). */
  now?: () => bigint;
}

/** Why a gateway cannot be moved by this proposal, whatever one waits: reported, not tried again. */
class Hopeless extends Error {}

/** Submits `proposal` to every gateway it names (`endpoints`, in its order), in parallel; one outcome each. */
export async function submitProposal(
  proposal: Proposal,
  endpoints: readonly GatewayEndpoint[],
  options: SubmitOptions,
): Promise<SubmitOutcome[]> {
  return Promise.all(proposal.gateways.map((g, i) => submitOne(proposal, g, endpoints[i]!, options)));
}

async function submitOne(proposal: Proposal, g: ProposalGateway, endpoint: GatewayEndpoint, o: SubmitOptions): Promise<SubmitOutcome> {
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  let last = "";
  for (;;) {
    try {
      return await withChain(endpoint, (provider) => attempt(proposal, g, provider, o));
    } catch (error) {
      if (error instanceof Hopeless) return { chain: g.chain, outcome: "failed", reason: error.message };
      last = messageOf(error);
    }
    if (Date.now() >= deadline)
      return { chain: g.chain, outcome: "failed", reason: `not moved within ${o.timeoutMs ?? 120_000} ms; last: ${last}` };
    await sleep(o.retryMs ?? 2_000);
  }
}

async function attempt(
  proposal: Proposal,
  g: ProposalGateway,
  provider: Parameters<Parameters<typeof withChain>[1]>[0],
  o: SubmitOptions,
): Promise<SubmitOutcome> {
  const set = await readValidatorSet(provider, g.gateway);
  if (set.epoch >= g.epoch) return { chain: g.chain, outcome: "already", epoch: set.epoch.toString() };
  if (set.epoch + 1n !== g.epoch) {
    throw new Hopeless(
      `the gateway is at epoch ${set.epoch}; the proposal moves it to ${g.epoch}, which an update now cannot: propose again`,
    );
  }
  const now = o.now?.() ?? BigInt(Math.floor(Date.now() / 1000));
  if (proposal.deadline <= now) throw new Hopeless(`the proposal's deadline ${proposal.deadline} has passed: propose again`);
  // Only approvals of members of the gateway's current set count, each checked again here.
  const update = updateFor(proposal, g);
  const valid = approvalsFor(proposal, g).filter((a) => set.validators.includes(a.signer) && recoverUpdateSigner(update, a) === a.signer);
  if (valid.length < set.threshold) {
    const missing = set.validators.filter((v) => !valid.some((a) => a.signer === v));
    throw new Hopeless(
      `${valid.length} of the ${set.threshold} approvals needed from the current set (epoch ${set.epoch}); not yet approved by ${missing.join(", ")}`,
    );
  }
  const signatures = valid.slice(0, set.threshold).map(({ r, vs }) => ({ r, vs })); // ascending by signer, exactly the threshold
  const wallet = new Wallet(o.privateKey, provider);
  const gateway = new Contract(g.gateway, contractInterface("BttcGateway"), wallet);
  // BTTC takes legacy transactions only: a gasPrice there, EIP-1559 fees elsewhere (as ethers picks).
  const gasPrice = await legacyGasPrice(provider);
  const tx = (await gateway.getFunction("updateValidatorSet")(proposal.validators, proposal.threshold, proposal.deadline, signatures, {
    ...(gasPrice === null ? {} : { type: 0, gasPrice }),
  })) as { hash: string; wait(): Promise<{ status: number | null } | null> };
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
  return { chain: g.chain, outcome: "moved", epoch: g.epoch.toString(), txHash: tx.hash };
}
