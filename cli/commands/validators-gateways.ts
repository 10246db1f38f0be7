// Where the gateways are, for the validator commands: on the devnet from `.devnet/devnet.json`; elsewhere
// from the API's `GET /v1/chains` (gateway addresses) with each chain's RPC endpoint from `--rpc
// name=url`. Each gateway's current validator set is read from its chain, never from the API.
import { readFileSync, writeFileSync } from "node:fs";
import type { JsonRpcProvider } from "ethers";
import { createEvmProvider } from "../../common/rpc/evm-provider.ts";
import { ValidatorSetError } from "../../common/validators/errors.ts";
import { readValidatorSet } from "../../common/validators/gateway-set.ts";
import { parseProposal, proposalToJson, type Proposal } from "../../common/validators/proposal.ts";
import type { ValidatorSet } from "../../common/validators/validator-set.ts";
import { endpointOf, type CliContext } from "../context.ts";
import { UsageError } from "../errors.ts";

/** An EVM gateway and how to reach its chain. */
export interface GatewayEndpoint {
  chain: string;
  chainId: bigint;
  gateway: string;
  rpcUrl: string;
}

/** Every EVM gateway of the bridge: the devnet's, or the API's with `--rpc` endpoints. */
export async function gatewaysOf(ctx: CliContext): Promise<GatewayEndpoint[]> {
  if (ctx.devnet) {
    return Object.entries(ctx.devnet.chains).flatMap(([chain, c]) =>
      c.family === "evm" && c.gateway ? [{ chain, chainId: BigInt(c.chainId), gateway: c.gateway, rpcUrl: endpointOf(ctx, chain) }] : [],
    );
  }
  const { chains } = await ctx.api.get<{ chains: { name: string; family: string; chainId: string; gateway: string | null }[] }>(
    "/v1/chains",
  );
  return chains.flatMap((c) =>
    c.family === "evm" && c.gateway
      ? [{ chain: c.name, chainId: BigInt(c.chainId), gateway: c.gateway, rpcUrl: endpointOf(ctx, c.name) }]
      : [],
  );
}

/** Runs `fn` with a provider for `g`'s chain, closed after. */
export async function withChain<T>(
  g: Pick<GatewayEndpoint, "chain" | "chainId" | "rpcUrl">,
  fn: (provider: JsonRpcProvider) => Promise<T>,
): Promise<T> {
  const provider = createEvmProvider({ name: g.chain, chainId: g.chainId, rpcUrl: g.rpcUrl });
  try {
    return await fn(provider);
  } finally {
    provider.destroy();
  }
}

/** Each gateway's current set, read from its chain. */
export async function readSets(gateways: readonly GatewayEndpoint[]): Promise<(GatewayEndpoint & { set: ValidatorSet })[]> {
  return Promise.all(gateways.map(async (g) => ({ ...g, set: await withChain(g, (p) => readValidatorSet(p, g.gateway)) })));
}

/** The endpoints of the gateways a proposal names (each must be one the bridge has). */
export function endpointsFor(proposal: Proposal, gateways: readonly GatewayEndpoint[]): GatewayEndpoint[] {
  return proposal.gateways.map((g) => {
    const known = gateways.find((x) => x.chainId === g.chainId && x.gateway === g.gateway);
    if (!known)
      throw new UsageError(`the proposal names gateway ${g.gateway} on ${g.chain} (chain ${g.chainId}), which this bridge does not have`);
    return known;
  });
}

export function readProposalFile(path: string): Proposal {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read the proposal ${path}: ${(error as Error).message}`);
  }
  try {
    return parseProposal(raw);
  } catch (error) {
    if (error instanceof ValidatorSetError) throw new ValidatorSetError(error.code, `${path}: ${error.message}`);
    throw error;
  }
}

export function writeProposalFile(path: string, proposal: Proposal): void {
  writeFileSync(path, JSON.stringify(proposalToJson(proposal), null, 2) + "\n");
}
