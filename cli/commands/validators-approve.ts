// `bttb validators approve`: a node's operator asks their own node to sign the proposal (its operator
// endpoint, authenticated by the node's operator token). The node checks the proposal against each
// chain and answers its signatures; they are checked here too (each recovers to the node's key over that
// gateway's update) and added to the proposal, once: approving twice adds nothing.
import { ValidatorSetError } from "../../common/validators/errors.ts";
import { parseApproval, proposalToJson, updateFor, withApprovals, type Approval, type Proposal } from "../../common/validators/proposal.ts";
import { recoverUpdateSigner } from "../../common/validators/set-update.ts";
import { CliError } from "../errors.ts";

/** The node's operator endpoint (relayer/http/operator-routes.ts). */
export const APPROVALS_PATH = "/v1/operator/validator-set-approvals";

/** Asks the node at `nodeUrl` to approve `proposal`; returns the proposal with its approvals added. */
export async function approveProposal(
  proposal: Proposal,
  nodeUrl: string,
  token: string,
): Promise<{ proposal: Proposal; signer: string; added: number }> {
  let response: Response;
  try {
    response = await fetch(`${nodeUrl.replace(/\/+$/, "")}${APPROVALS_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(proposalToJson(proposal)),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new CliError("NODE_UNREACHABLE", `no answer from the node at ${nodeUrl}: ${(error as Error).message}`, { retryable: true });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.status !== 200) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new CliError(
      "NODE_REFUSED",
      `the node at ${nodeUrl} refused (HTTP ${response.status} ${error?.code ?? ""}): ${error?.message ?? text}`,
    );
  }
  const answered = (body as { approvals?: unknown[] } | undefined)?.approvals;
  if (!Array.isArray(answered)) throw new CliError("NODE_REFUSED", `the node at ${nodeUrl} answered no approvals: ${text}`);
  const approvals: Approval[] = answered.map(parseApproval);
  const signers = new Set(approvals.map((a) => a.signer));
  if (signers.size !== 1)
    throw new ValidatorSetError("BAD_APPROVAL", `the node's approvals are not from one key: ${[...signers].join(", ")}`);
  const signer = [...signers][0]!;
  // Every gateway of the proposal approved, each signature recovering to the node's key over its update.
  const kept: Approval[] = [];
  for (const g of proposal.gateways) {
    const a = approvals.find((x) => x.chainId === g.chainId && x.gateway === g.gateway && x.epoch === g.epoch);
    if (!a) throw new ValidatorSetError("BAD_APPROVAL", `the node did not approve ${g.chain} (gateway ${g.gateway}, epoch ${g.epoch})`);
    const recovered = recoverUpdateSigner(updateFor(proposal, g), a);
    if (recovered !== a.signer) {
      throw new ValidatorSetError(
        "BAD_APPROVAL",
        `the node's signature for ${g.chain} recovers to ${recovered ?? "nothing"}, not ${a.signer}`,
      );
    }
    kept.push(a);
  }
  const merged = withApprovals(proposal, kept);
  return { proposal: merged.proposal, signer, added: merged.added };
}
