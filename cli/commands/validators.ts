// `bttb validators propose | approve | submit | show`: rotating the validator set through the bridge's
// own tooling (docs/operations.md, "Rotating validators"). A proposal file goes from the proposer to
// each approving operator (who asks their own node to sign it) and then to whoever submits it.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { CliContext } from "../context.ts";
import { CliError, UsageError } from "../errors.ts";
import { approvalsFor } from "../../common/validators/proposal.ts";
import { approveProposal } from "./validators-approve.ts";
import { endpointsFor, gatewaysOf, readProposalFile, readSets, writeProposalFile } from "./validators-gateways.ts";
import { DEFAULT_DEADLINE_SECONDS, parseDeadline, proposeValidatorSet } from "./validators-propose.ts";
import { submitProposal } from "./validators-submit.ts";

export const VALIDATORS_HELP = `bttb validators — rotate the validator set of every gateway

  show                                   each gateway's current set, threshold and epoch
  propose [--add 0x…] [--remove 0x…] [--replace old=new] [--threshold N]
          [--deadline 24h|<unix s>] [--out proposal.json]
                                         the new set from the current one (options repeatable)
  approve --proposal proposal.json --node <url | devnet node id> [--token <t>]
                                         your node signs it (token: --token, BTTB_OPERATOR_TOKEN,
                                         or on the devnet the node's token file)
  submit --proposal proposal.json [--timeout 120s]
                                         send it to every gateway once a threshold of its current set
                                         approved (key: --account i on the devnet, else BTTB_PRIVATE_KEY)`;

export async function validatorsCommand(ctx: CliContext, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "show":
      return show(ctx);
    case "propose":
      return propose(ctx, rest);
    case "approve":
      return approve(ctx, rest, env);
    case "submit":
      return submit(ctx, rest);
    default:
      ctx.out(VALIDATORS_HELP);
      return sub === undefined ? 2 : sub === "help" ? 0 : 2;
  }
}

async function show(ctx: CliContext): Promise<number> {
  const read = await readSets(await gatewaysOf(ctx));
  if (ctx.json) {
    ctx.out(
      JSON.stringify(
        read.map((g) => ({
          chain: g.chain,
          gateway: g.gateway,
          epoch: g.set.epoch.toString(),
          threshold: g.set.threshold,
          validators: g.set.validators,
        })),
      ),
    );
    return 0;
  }
  for (const g of read)
    ctx.out(`${g.chain.padEnd(9)} epoch ${g.set.epoch}  ${g.set.threshold} of ${g.set.validators.length}: ${g.set.validators.join(", ")}`);
  return 0;
}

async function propose(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      add: { type: "string", multiple: true },
      remove: { type: "string", multiple: true },
      replace: { type: "string", multiple: true },
      threshold: { type: "string" },
      deadline: { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  const now = BigInt(Math.floor(Date.now() / 1000));
  const replace = (values.replace ?? []).map((pair) => {
    const [old, added, extra] = pair.split("=");
    if (!old || !added || extra !== undefined) throw new UsageError(`--replace takes old=new (two addresses), not "${pair}"`);
    return { old: address(old, "--replace"), new: address(added, "--replace") };
  });
  let threshold: number | undefined;
  if (values.threshold !== undefined) {
    if (!/^\d{1,3}$/.test(values.threshold)) throw new UsageError(`--threshold takes a whole number, not "${values.threshold}"`);
    threshold = Number(values.threshold);
  }
  const { proposal, current } = await proposeValidatorSet(await gatewaysOf(ctx), {
    change: {
      add: (values.add ?? []).map((a) => address(a, "--add")),
      remove: (values.remove ?? []).map((a) => address(a, "--remove")),
      replace,
      ...(threshold === undefined ? {} : { threshold }),
    },
    deadline: values.deadline === undefined ? now + DEFAULT_DEADLINE_SECONDS : parseDeadline(values.deadline, now),
    now,
  });
  const out = values.out ?? "validator-set-proposal.json";
  writeProposalFile(out, proposal);
  if (ctx.json) {
    ctx.out(
      JSON.stringify({ file: out, validators: proposal.validators, threshold: proposal.threshold, deadline: proposal.deadline.toString() }),
    );
    return 0;
  }
  ctx.out(`proposal written to ${out}`);
  ctx.out(`  now      ${current.threshold} of [${current.validators.join(", ")}]`);
  ctx.out(`  proposed ${proposal.threshold} of [${proposal.validators.join(", ")}]`);
  ctx.out(`  deadline ${new Date(Number(proposal.deadline) * 1000).toISOString()} (${proposal.deadline})`);
  for (const g of proposal.gateways) ctx.out(`  ${g.chain.padEnd(9)} ${g.gateway}  epoch ${g.epoch - 1n} → ${g.epoch}`);
  ctx.out(
    `next: a threshold (${current.threshold}) of the current set's operators run  bttb validators approve --proposal ${out} --node <their node>`,
  );
  return 0;
}

async function approve(ctx: CliContext, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { proposal: { type: "string" }, node: { type: "string" }, token: { type: "string" } },
    strict: true,
  });
  if (!values.proposal) throw new UsageError("bttb validators approve needs --proposal <file>");
  if (!values.node) throw new UsageError("bttb validators approve needs --node <node url> (on the devnet also a node id: n1)");
  // On the devnet a node may be named by its id: its URL and operator token file are in devnet.json.
  const devnetNode = ctx.devnet?.relayers.find((r) => r.id === values.node);
  const url = devnetNode?.url ?? values.node;
  if (!/^https?:\/\//.test(url))
    throw new UsageError(`--node takes the node's URL (http://…)${ctx.devnet ? " or a devnet node id" : ""}, not "${values.node}"`);
  const token =
    values.token ??
    env.BTTB_OPERATOR_TOKEN ??
    (devnetNode?.operatorTokenFile ? readFileSync(devnetNode.operatorTokenFile, "utf8").trim() : undefined);
  if (!token) throw new UsageError("no operator token: give --token, or set BTTB_OPERATOR_TOKEN (the node's operatorToken)", "NO_KEY");
  const proposal = readProposalFile(values.proposal);
  const result = await approveProposal(proposal, url, token);
  writeProposalFile(values.proposal, result.proposal);
  if (ctx.json) {
    ctx.out(JSON.stringify({ signer: result.signer, added: result.added }));
    return 0;
  }
  ctx.out(
    result.added === 0
      ? `${result.signer} had approved already: nothing added`
      : `${result.signer} approved ${result.added} gateway update(s)`,
  );
  for (const g of result.proposal.gateways)
    ctx.out(`  ${g.chain.padEnd(9)} epoch ${g.epoch}: ${approvalsFor(result.proposal, g).length} approval(s)`);
  return 0;
}

async function submit(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { proposal: { type: "string" }, timeout: { type: "string" } }, strict: true });
  if (!values.proposal) throw new UsageError("bttb validators submit needs --proposal <file>");
  let timeoutMs = 120_000;
  if (values.timeout !== undefined) {
    const m = /^(\d+)(s|m)?$/.exec(values.timeout);
    if (!m) throw new UsageError(`--timeout takes seconds (90s) or minutes (5m), not "${values.timeout}"`);
    timeoutMs = Number(m[1]) * (m[2] === "m" ? 60_000 : 1_000);
  }
  const proposal = readProposalFile(values.proposal);
  const endpoints = endpointsFor(proposal, await gatewaysOf(ctx));
  const outcomes = await submitProposal(proposal, endpoints, { privateKey: ctx.privateKey(), timeoutMs });
  if (ctx.json) ctx.out(JSON.stringify(outcomes));
  else {
    for (const o of outcomes) {
      const what =
        o.outcome === "moved"
          ? `moved to epoch ${o.epoch} (tx ${o.txHash})`
          : o.outcome === "already"
            ? `already at epoch ${o.epoch}`
            : `NOT MOVED: ${o.reason}`;
      ctx.out(`${o.chain.padEnd(9)} ${what}`);
    }
  }
  const failed = outcomes.filter((o) => o.outcome === "failed");
  if (failed.length > 0)
    throw new CliError(
      "SUBMISSION_FAILED",
      `${failed.length} of ${outcomes.length} gateways not moved: ${failed.map((f) => f.chain).join(", ")}`,
    );
  return 0;
}

function address(text: string, flag: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text)) throw new UsageError(`${flag} takes an EVM address (0x and 40 hex digits), not "${text}"`);
  return text;
}
