// `bttb validators propose | approve | submit` against two real `hardhat node` chains (BTTC under Berlin
// rules, Ethereum) and four relayer nodes on real Redis (n1…n3 the gateways' set, n4 outside it): bad
// proposals are refused naming what is wrong and write nothing; a node's approval endpoint wants its
// token (401 otherwise) and refuses a stale proposal, a passed deadline and a node outside the set;
// approving twice adds nothing; submitting needs a threshold of the current set, moves every gateway
// once, and reports a gateway already moved as such.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import { Contract, HDNodeWallet, JsonRpcProvider, NonceManager, Wallet, keccak256, toUtf8Bytes } from "ethers";
import { approveProposal } from "../../../cli/commands/validators-approve.ts";
import type { GatewayEndpoint } from "../../../cli/commands/validators-gateways.ts";
import { proposeValidatorSet } from "../../../cli/commands/validators-propose.ts";
import { submitProposal } from "../../../cli/commands/validators-submit.ts";
import { run } from "../../../cli/bttb.ts";
import { createEvmProvider } from "../../../common/rpc/evm-provider.ts";
import { ValidatorSetError } from "../../../common/validators/errors.ts";
import { readValidatorSet } from "../../../common/validators/gateway-set.ts";
import { parseProposal, proposalToJson, updateFor, withApprovals, type Proposal } from "../../../common/validators/proposal.ts";
import { signValidatorSetUpdate } from "../../../common/validators/set-update.ts";
import { deployNetwork } from "../../../deploy/network.ts";
import { SetApprover } from "../../../relayer/attest/set-approver.ts";
import { registerOperatorRoutes } from "../../../relayer/http/operator-routes.ts";
import type { RelayerNode } from "../../../relayer/node.ts";
import { CHAIN_IDS, DEV_KEYS, DEVNET_MNEMONIC } from "../../../testkit/constants.ts";
import { startHardhatNode, type HardhatNode } from "../../../testkit/hardhat-node.ts";
import { connectTestRedis, type TestRedis } from "../../../testkit/redis.ts";
import { startRelayerTrio } from "../../../testkit/relayer-trio.ts";
import { validatorWallets } from "../../../testkit/world.ts";

const account = (i: number) => HDNodeWallet.fromPhrase(DEVNET_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
const CHAINS = { bttc: CHAIN_IDS.bttc, ethereum: CHAIN_IDS.ethereum } as const;
type Name = keyof typeof CHAINS;
const NAMES = Object.keys(CHAINS) as Name[];
const TOKEN = "validators-test-operator-token-abcdef";
const SUBMITTER_KEY = DEV_KEYS[9];
const now = () => BigInt(Math.floor(Date.now() / 1000));

describe("bttb validators", { timeout: 300_000 }, () => {
  const chains = {} as Record<Name, { node: HardhatNode; provider: JsonRpcProvider; gateway: Contract }>;
  const validators = validatorWallets(3);
  const n4 = new Wallet(keccak256(toUtf8Bytes("validators-test-n4")));
  const relayers: RelayerNode[] = [];
  let gateways: GatewayEndpoint[];
  let redis: TestRedis;
  let dir: string;
  const url = (i: number) => `http://127.0.0.1:${relayers[i]!.config.http.port}`;

  before(async () => {
    redis = await connectTestRedis("validators-cli");
    for (const name of NAMES) {
      const node = await startHardhatNode({ chainId: CHAINS[name] });
      chains[name] = { node, provider: createEvmProvider({ name, chainId: CHAINS[name], rpcUrl: node.url }) } as (typeof chains)[Name];
    }
    const deployed = await deployNetwork({
      validators: validators.map((v) => v.address),
      threshold: 2,
      chains: NAMES.map((name) => ({
        name,
        chainId: CHAINS[name],
        role: name === "bttc" ? ("bttc" as const) : ("remote" as const),
        deployer: new NonceManager(account(0).connect(chains[name].provider)),
        guardian: account(0).address,
        dailyLimit: null,
        timelockDelay: 0n,
      })),
    });
    for (const name of NAMES) chains[name].gateway = deployed.get(name)!.gateway;
    gateways = NAMES.map((name) => ({
      chain: name,
      chainId: CHAINS[name],
      gateway: chains[name].gateway.target as string,
      rpcUrl: chains[name].node.url,
    }));
    relayers.push(
      ...(await startRelayerTrio(
        NAMES.map((name) => ({ name, chainId: CHAINS[name], rpcUrl: chains[name].node.url, gateway: chains[name].gateway, start: 0n })),
        [...validators, n4],
        redis.prefix,
        { nodes: 4, operatorToken: TOKEN },
      )),
    );
    dir = mkdtempSync(join(tmpdir(), "bttb-validators-"));
  });

  after(async () => {
    for (const relayer of relayers) await relayer.stop();
    await redis?.cleanup();
    for (const name of NAMES) chains[name]?.provider.destroy();
    await Promise.all(NAMES.map((name) => chains[name]?.node.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function refusedWith(work: Promise<unknown>, code: string, message: RegExp): Promise<void> {
    await assert.rejects(work, (error: unknown) => {
      assert.ok(error instanceof ValidatorSetError, String(error));
      assert.equal(error.code, code);
      assert.match(error.message, message);
      return true;
    });
  }

  const replaceN3 = () => ({ replace: [{ old: validators[2]!.address, new: n4.address }] });

  it("refuses bad proposals, naming what is wrong, and writes no file", async () => {
    const deadline = now() + 3600n;
    await refusedWith(
      proposeValidatorSet(gateways, { change: { threshold: 1 }, deadline }),
      "INVALID_THRESHOLD",
      /1 of 3 is not above half/,
    );
    await refusedWith(
      proposeValidatorSet(gateways, { change: { threshold: 4 }, deadline }),
      "INVALID_THRESHOLD",
      /more than the 3 validators/,
    );
    await refusedWith(
      proposeValidatorSet(gateways, { change: { add: [validators[0]!.address] }, deadline }),
      "INVALID_CHANGE",
      new RegExp(`--add ${validators[0]!.address}: in the set already`),
    );
    await refusedWith(
      proposeValidatorSet(gateways, { change: { remove: [n4.address] }, deadline }),
      "INVALID_CHANGE",
      new RegExp(`--remove ${n4.address}: not in the current set`),
    );
    // Two of three removed, threshold 2 kept: 2 of 1.
    await refusedWith(
      proposeValidatorSet(gateways, { change: { remove: [validators[0]!.address, validators[1]!.address] }, deadline }),
      "INVALID_THRESHOLD",
      /more than the 1 validators/,
    );
    await refusedWith(proposeValidatorSet(gateways, { change: { threshold: 2 }, deadline }), "NO_CHANGE", /leaves the set as it is/);
    await refusedWith(proposeValidatorSet(gateways, { change: replaceN3(), deadline: now() - 1n }), "DEADLINE_PASSED", /not in the future/);

    // Through the command: exit status 1 with the message, no file.
    const out = join(dir, "bad.json");
    const devnet = writeDevnet();
    await assert.rejects(
      run(["validators", "propose", "--threshold", "1", "--out", out, "--devnet", devnet], {}, () => {}),
      /not above half/,
    );
    assert.equal(existsSync(out), false);
    await assert.rejects(
      run(["validators", "propose", "--add", "0x1234", "--devnet", devnet], {}, () => {}),
      /--add takes an EVM address/,
    );
  });

  it("approves only with the node's token, once per node, and only for a current member", async () => {
    const { proposal } = await proposeValidatorSet(gateways, { change: replaceN3(), deadline: now() + 3600n });
    assert.deepEqual(
      proposal.gateways.map((g) => [g.chain, g.epoch]),
      [
        ["bttc", 1n],
        ["ethereum", 1n],
      ],
    );
    assert.deepEqual(proposal.validators, [...new Set([validators[0]!.address, validators[1]!.address, n4.address])].sort(cmp));

    await assert.rejects(approveProposal(proposal, url(0), "wrong-token-wrong-token"), /HTTP 401 UNAUTHORIZED/);
    const noToken = await fetch(`${url(0)}/v1/operator/validator-set-approvals`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(proposalToJson(proposal)),
    });
    assert.equal(noToken.status, 401);
    await assert.rejects(approveProposal(proposal, url(3), TOKEN), /409 NOT_A_VALIDATOR.*not in the gateway's current set/);
    const stale = { ...proposal, gateways: proposal.gateways.map((g) => ({ ...g, epoch: 2n })) };
    await assert.rejects(approveProposal(stale, url(0), TOKEN), /409 STALE_PROPOSAL.*at validator epoch 0/);
    const expired = { ...proposal, deadline: now() - 10n };
    await assert.rejects(approveProposal(expired, url(0), TOKEN), /409 DEADLINE_PASSED/);
    const bad = await fetch(`${url(0)}/v1/operator/validator-set-approvals`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ ...proposalToJson(proposal), threshold: 1 }),
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, "INVALID_THRESHOLD");

    const once = await approveProposal(proposal, url(0), TOKEN);
    assert.equal(once.signer, validators[0]!.address);
    assert.equal(once.added, 2);
    const twice = await approveProposal(once.proposal, url(0), TOKEN);
    assert.equal(twice.added, 0);
    assert.deepEqual(twice.proposal.approvals, once.proposal.approvals);

    // A node whose operator endpoint has no token: off.
    const app = Fastify({ logger: false });
    registerOperatorRoutes(
      app,
      new SetApprover({
        signer: { address: n4.address, signValidatorSetUpdate: () => Promise.reject(new Error("never")) },
        destinations: new Map(),
      }),
      null,
    );
    const off = await app.inject({ method: "POST", url: "/v1/operator/validator-set-approvals", payload: proposalToJson(proposal) });
    assert.equal(off.statusCode, 404);
    assert.equal(off.json<{ error: { code: string } }>().error.code, "OPERATOR_ENDPOINT_OFF");
    await app.close();
  });

  it("submits once a threshold of the current set approved; again is harmless; a passed deadline is refused", async () => {
    const file = join(dir, "proposal.json");
    const devnet = writeDevnet();
    const lines: string[] = [];
    const out = (line: string) => lines.push(line);
    assert.equal(
      await run(
        [
          "validators",
          "propose",
          "--replace",
          `${validators[2]!.address}=${n4.address}`,
          "--deadline",
          "1h",
          "--out",
          file,
          "--devnet",
          devnet,
        ],
        {},
        out,
      ),
      0,
    );
    const env = { BTTB_PRIVATE_KEY: SUBMITTER_KEY, BTTB_OPERATOR_TOKEN: TOKEN };
    assert.equal(await run(["validators", "approve", "--proposal", file, "--node", url(0), "--devnet", devnet], env, out), 0);

    // One approval, and n4's (not a member yet) forged in: not enough of the current set.
    const proposal = JSON.parse(readFileSync(file, "utf8")) as unknown;
    const parsed = parseProposal(proposal);
    const outsider = withApprovals(
      parsed,
      parsed.gateways.map((g) => ({
        signer: n4.address,
        chainId: g.chainId,
        gateway: g.gateway,
        epoch: g.epoch,
        ...signValidatorSetUpdate(n4.signingKey, updateFor(parsed, g)),
      })),
    ).proposal;
    const short = await submitProposal(outsider, gateways, { privateKey: SUBMITTER_KEY, retryMs: 100, timeoutMs: 2_000 });
    for (const o of short) {
      assert.equal(o.outcome, "failed");
      assert.match(
        o.outcome === "failed" ? o.reason : "",
        new RegExp(`1 of the 2 approvals needed from the current set \\(epoch 0\\); not yet approved by .*${validators[1]!.address}`),
      );
    }
    for (const name of NAMES)
      assert.equal((await readValidatorSet(chains[name].provider, chains[name].gateway.target as string)).epoch, 0n);

    assert.equal(await run(["validators", "approve", "--proposal", file, "--node", url(1), "--devnet", devnet], env, out), 0);
    lines.length = 0;
    assert.equal(await run(["validators", "submit", "--proposal", file, "--devnet", devnet], env, out), 0);
    assert.match(lines.join("\n"), /bttc\s+moved to epoch 1 \(tx 0x/);
    assert.match(lines.join("\n"), /ethereum\s+moved to epoch 1 \(tx 0x/);
    for (const name of NAMES) {
      const set = await readValidatorSet(chains[name].provider, chains[name].gateway.target as string);
      assert.equal(set.epoch, 1n);
      assert.equal(set.threshold, 2);
      assert.deepEqual(set.validators, [validators[0]!.address, validators[1]!.address, n4.address].sort(cmp));
    }
    // BTTC took a legacy transaction (Berlin rules): the submission went through there all the same.
    lines.length = 0;
    assert.equal(await run(["validators", "submit", "--proposal", file, "--devnet", devnet], env, out), 0);
    assert.deepEqual(
      lines.map((l) => l.replace(/\s+/g, " ")),
      ["bttc already at epoch 1", "ethereum already at epoch 1"],
    );

    // A proposal whose deadline passes before it is submitted is refused, and moves nothing.
    const { proposal: next } = await proposeValidatorSet(gateways, { change: { threshold: 3 }, deadline: now() + 2n });
    let held: Proposal = next;
    for (const i of [0, 1]) held = (await approveProposal(held, url(i), TOKEN)).proposal;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const late = await submitProposal(held, gateways, { privateKey: SUBMITTER_KEY, retryMs: 100, timeoutMs: 2_000 });
    for (const o of late) assert.match(o.outcome === "failed" ? o.reason : o.outcome, /deadline \d+ has passed/);
    for (const name of NAMES)
      assert.equal((await readValidatorSet(chains[name].provider, chains[name].gateway.target as string)).threshold, 2);
    // The chain refuses it too (ValidatorSetUpdateExpired), whoever sends it.
    const forced = await submitProposal(held, gateways, { privateKey: SUBMITTER_KEY, retryMs: 100, timeoutMs: 300, now: () => 0n });
    for (const o of forced) assert.match(o.outcome === "failed" ? o.reason : o.outcome, /ValidatorSetUpdateExpired|revert/i);
    for (const name of NAMES)
      assert.equal((await readValidatorSet(chains[name].provider, chains[name].gateway.target as string)).epoch, 1n);
  });

  function writeDevnet(): string {
    const file = join(dir, "devnet.json");
    writeFileSync(
      file,
      JSON.stringify({
        api: { url: "http://127.0.0.1:9" },
        chains: Object.fromEntries(
          gateways.map((g) => [g.chain, { family: "evm", chainId: g.chainId.toString(), rpcUrl: g.rpcUrl, gateway: g.gateway }]),
        ),
        accounts: [],
        relayers: relayers.map((r, i) => ({ id: r.config.id, url: url(i), config: "" })),
      }),
    );
    return file;
  }
});

function cmp(a: string, b: string): number {
  return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
}
