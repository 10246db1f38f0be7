// The proposal file an operator passes around (docs/operations.md, "Rotating validators"): the new set,
// its threshold and deadline, each gateway it applies to with the epoch it moves that gateway to, and
// the approvals gathered so far (one signature per signer per gateway). `bttb validators propose` writes
// it, `approve` adds a node's signatures, `submit` sends it; a node's approval endpoint takes the same
// JSON. Integers are decimal strings, addresses checksummed.
import { getAddress, isAddress } from "ethers";
import { z } from "zod";
import { compareAddresses } from "../transfer.ts";
import { ValidatorSetError } from "./errors.ts";
import type { ValidatorSetUpdate } from "./set-update.ts";
import { checkValidatorSet } from "./validator-set.ts";

export const PROPOSAL_KIND = "bttb-validator-set-proposal";

const address = z
  .string({ error: "an EVM address" })
  .refine((a) => isAddress(a), "an EVM address (0x and 40 hex digits, checksum right if mixed-case)")
  .transform((a) => getAddress(a));
const uint64 = z
  .string({ error: "a decimal string" })
  .regex(/^(0|[1-9]\d{0,19})$/, "a decimal string")
  .transform((v) => BigInt(v))
  .refine((v) => v < 2n ** 64n, "at most a uint64");
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "32 bytes as 0x and 64 hex digits");

const gatewaySchema = z
  .object({
    chain: z.string().min(1),
    chainId: uint64,
    gateway: address,
    epoch: uint64.refine((e) => e >= 1n, "at least 1 (the first set is epoch 0)"),
  })
  .strict();
const approvalSchema = z.object({ signer: address, chainId: uint64, gateway: address, epoch: uint64, r: hex32, vs: hex32 }).strict();

export const proposalSchema = z
  .object({
    kind: z.literal(PROPOSAL_KIND),
    version: z.literal(1),
    validators: z.array(address).min(1),
    threshold: z.number().int(),
    deadline: uint64,
    gateways: z.array(gatewaySchema).min(1, "at least one gateway"),
    approvals: z.array(approvalSchema).default([]),
  })
  .strict();

export type Proposal = z.infer<typeof proposalSchema>;
export type ProposalGateway = Proposal["gateways"][number];
export type Approval = Proposal["approvals"][number];

/** Parses a proposal (already JSON-decoded) and checks its set, or throws ValidatorSetError naming the field. */
export function parseProposal(raw: unknown): Proposal {
  const parsed = proposalSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidatorSetError("INVALID_PROPOSAL", `invalid proposal: ${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`);
  }
  const proposal = parsed.data;
  checkValidatorSet(proposal.validators, proposal.threshold);
  const seen = new Set<string>();
  for (const g of proposal.gateways) {
    const key = `${g.chainId}/${g.gateway}`;
    if (seen.has(key))
      throw new ValidatorSetError("INVALID_PROPOSAL", `invalid proposal: gateway ${g.gateway} on chain ${g.chainId} is named twice`);
    seen.add(key);
  }
  return proposal;
}

/** The JSON form of a proposal (what is written to the file). */
export function proposalToJson(p: Proposal): Record<string, unknown> {
  return {
    kind: p.kind,
    version: p.version,
    validators: p.validators,
    threshold: p.threshold,
    deadline: p.deadline.toString(),
    gateways: p.gateways.map((g) => ({ chain: g.chain, chainId: g.chainId.toString(), gateway: g.gateway, epoch: g.epoch.toString() })),
    approvals: p.approvals.map(approvalToJson),
  };
}

export function approvalToJson(a: Approval): Record<string, string> {
  return { signer: a.signer, chainId: a.chainId.toString(), gateway: a.gateway, epoch: a.epoch.toString(), r: a.r, vs: a.vs };
}

/** Parses one approval (a node's answer), or throws ValidatorSetError. */
export function parseApproval(raw: unknown): Approval {
  const parsed = approvalSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidatorSetError("BAD_APPROVAL", `invalid approval: ${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

/** What is signed for one of the proposal's gateways. */
export function updateFor(p: Pick<Proposal, "validators" | "threshold" | "deadline">, g: ProposalGateway): ValidatorSetUpdate {
  return { chainId: g.chainId, gateway: g.gateway, epoch: g.epoch, validators: p.validators, threshold: p.threshold, deadline: p.deadline };
}

function sameGateway(a: { chainId: bigint; gateway: string }, b: { chainId: bigint; gateway: string }): boolean {
  return a.chainId === b.chainId && a.gateway === b.gateway;
}

/** The proposal with `approvals` added: one per signer, gateway and epoch (approving again replaces
 * nothing and adds nothing), kept in a stable order (gateway, then signer ascending). */
export function withApprovals(p: Proposal, approvals: readonly Approval[]): { proposal: Proposal; added: number } {
  const key = (a: Approval) => `${a.chainId}/${a.gateway}/${a.epoch}/${a.signer}`;
  const all = new Map(p.approvals.map((a) => [key(a), a]));
  let added = 0;
  for (const a of approvals) {
    if (all.has(key(a))) continue;
    all.set(key(a), a);
    added++;
  }
  const gatewayIndex = (a: Approval) => p.gateways.findIndex((g) => sameGateway(g, a));
  const sorted = [...all.values()].sort((a, b) => gatewayIndex(a) - gatewayIndex(b) || compareAddresses(a.signer, b.signer));
  return { proposal: { ...p, approvals: sorted }, added };
}

/** The approvals held for gateway `g` at its epoch, ascending by signer. */
export function approvalsFor(p: Proposal, g: ProposalGateway): Approval[] {
  return p.approvals.filter((a) => sameGateway(a, g) && a.epoch === g.epoch).sort((a, b) => compareAddresses(a.signer, b.signer));
}
