// The shared rules of a validator-set proposal (common/validators): what a gateway would refuse is
// refused first with a message naming it; a proposal file parses strictly, naming the bad field; the
// approvals merge once per signer and gateway; a signature recovers to its signer over the update.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import { ValidatorSetError } from "../../../common/validators/errors.ts";
import {
  PROPOSAL_KIND,
  approvalsFor,
  parseProposal,
  proposalToJson,
  updateFor,
  withApprovals,
  type Approval,
  type Proposal,
} from "../../../common/validators/proposal.ts";
import { recoverUpdateSigner, signValidatorSetUpdate } from "../../../common/validators/set-update.ts";
import { applyChange, checkValidatorSet, sortValidators } from "../../../common/validators/validator-set.ts";

const wallets = [1, 2, 3, 4, 5].map((i) => new Wallet(keccak256(toUtf8Bytes(`proposal-test-${i}`))));
const [a, b, c, d] = sortValidators(wallets.slice(0, 4).map((w) => w.address)) as [string, string, string, string];
const wallet = (address: string) => wallets.find((w) => w.address === address)!;
const GATEWAY = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ValidatorSetError, String(error));
    return `${error.code}: ${error.message}`;
  }
  return "accepted";
}

function proposal(): Proposal {
  return parseProposal({
    kind: PROPOSAL_KIND,
    version: 1,
    validators: [a, b, d],
    threshold: 2,
    deadline: "2000000000",
    gateways: [
      { chain: "bttc", chainId: "1337199", gateway: GATEWAY, epoch: "1" },
      { chain: "ethereum", chainId: "1337001", gateway: GATEWAY, epoch: "3" },
    ],
  });
}

describe("validator sets and proposals", () => {
  it("refuses what a gateway would refuse, naming it", () => {
    assert.equal(
      code(() => checkValidatorSet([a, b, c], 2)),
      "accepted",
    );
    assert.match(
      code(() => checkValidatorSet([], 1)),
      /^INVALID_VALIDATOR_SET: the validator set is empty/,
    );
    assert.match(
      code(() => checkValidatorSet([b, a], 2)),
      new RegExp(`^INVALID_VALIDATOR_SET: .*${a} at 1 is not above the one before`),
    );
    assert.match(
      code(() => checkValidatorSet([a, a, b], 2)),
      new RegExp(`^INVALID_VALIDATOR_SET: .*${a} is in it twice`),
    );
    assert.match(
      code(() => checkValidatorSet([a, b, c, d], 2)),
      /^INVALID_THRESHOLD: a threshold of 2 of 4 is not above half the set \(at least 3\)/,
    );
    assert.match(
      code(() => checkValidatorSet([a, b], 3)),
      /^INVALID_THRESHOLD: a threshold of 3 is more than the 2 validators/,
    );
    assert.match(
      code(() => checkValidatorSet([a], 0)),
      /^INVALID_THRESHOLD/,
    );
    assert.match(
      code(() => checkValidatorSet(["0x0000000000000000000000000000000000000000", a], 2)),
      /zero address/,
    );
  });

  it("applies --add, --remove and --replace to the current set, ascending, and refuses changes that do not fit it", () => {
    const current = { validators: [a, b, c], threshold: 2 };
    assert.deepEqual(applyChange(current, { replace: [{ old: c, new: d }] }), { validators: sortValidators([a, b, d]), threshold: 2 });
    assert.deepEqual(applyChange(current, { add: [d], threshold: 3 }), { validators: [a, b, c, d], threshold: 3 });
    assert.deepEqual(applyChange(current, { remove: [c] }), { validators: [a, b], threshold: 2 });
    assert.match(
      code(() => applyChange(current, { add: [d] })),
      /^INVALID_THRESHOLD: a threshold of 2 of 4/,
    );
    assert.match(
      code(() => applyChange(current, { add: [a] })),
      /^INVALID_CHANGE: --add .* in the set already/,
    );
    assert.match(
      code(() => applyChange(current, { remove: [d] })),
      /^INVALID_CHANGE: --remove .* not in the current set/,
    );
    assert.match(
      code(() => applyChange(current, { replace: [{ old: d, new: a }] })),
      /^INVALID_CHANGE: --replace .* is not in the current set/,
    );
    assert.match(
      code(() => applyChange(current, { replace: [{ old: c, new: a }] })),
      /^INVALID_CHANGE: --replace .* is in the current set already/,
    );
  });

  it("parses a proposal strictly, naming the bad field", () => {
    const good = proposalToJson(proposal());
    assert.deepEqual(proposalToJson(parseProposal(good)), good, "the file form parses back to itself");
    assert.match(
      code(() => parseProposal({ ...good, threshold: 1 })),
      /^INVALID_THRESHOLD/,
    );
    assert.match(
      code(() => parseProposal({ ...good, deadline: 5 })),
      /^INVALID_PROPOSAL: invalid proposal: deadline: a decimal string/,
    );
    assert.match(
      code(() => parseProposal({ ...good, gateways: [] })),
      /^INVALID_PROPOSAL: .*gateways: at least one gateway/,
    );
    assert.match(
      code(() => parseProposal({ ...good, extra: 1 })),
      /^INVALID_PROPOSAL/,
    );
    const gateways = good.gateways as Record<string, string>[];
    assert.match(
      code(() => parseProposal({ ...good, gateways: [{ ...gateways[0], epoch: "0" }] })),
      /gateways.0.epoch: at least 1/,
    );
    assert.match(
      code(() => parseProposal({ ...good, gateways: [gateways[0], gateways[0]] })),
      /named twice/,
    );
    assert.match(
      code(() => parseProposal({ ...good, validators: [a, "0x12"] })),
      /validators.1: an EVM address/,
    );
  });

  it("merges approvals once per signer, gateway and epoch, and each recovers to its signer over its own update", () => {
    const p = proposal();
    const approve = (signer: string): Approval[] =>
      p.gateways.map((g) => ({
        signer,
        chainId: g.chainId,
        gateway: g.gateway,
        epoch: g.epoch,
        ...signValidatorSetUpdate(wallet(signer).signingKey, updateFor(p, g)),
      }));
    const first = withApprovals(p, approve(b));
    assert.equal(first.added, 2);
    const again = withApprovals(first.proposal, approve(b));
    assert.equal(again.added, 0);
    assert.deepEqual(again.proposal.approvals, first.proposal.approvals);
    const both = withApprovals(again.proposal, approve(a)).proposal;
    for (const g of both.gateways) {
      const held = approvalsFor(both, g);
      assert.deepEqual(
        held.map((x) => x.signer),
        [a, b],
        "ascending by signer",
      );
      for (const x of held) assert.equal(recoverUpdateSigner(updateFor(both, g), x), x.signer);
    }
    // A signature is for one gateway's update: moved to another (another epoch), it recovers elsewhere.
    const [bttc, eth] = both.gateways as [Proposal["gateways"][number], Proposal["gateways"][number]];
    const forBttc = approvalsFor(both, bttc)[0]!;
    assert.notEqual(recoverUpdateSigner(updateFor(both, eth), forBttc), forBttc.signer);
    assert.notEqual(recoverUpdateSigner({ ...updateFor(both, bttc), threshold: 3 }, forBttc), forBttc.signer);
  });
});
