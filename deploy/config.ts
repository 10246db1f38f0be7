// The deployment file `deploy/cli.ts` reads: which chains, with what keys, limits and fees. Parsed once,
// by this schema; a present but invalid value stops the deployment with a message that names it.
import { z } from "zod";
import { feeTypeSchema } from "../common/chains/config.ts";
import { addressSchema as address, keySourceSchema, loadJsonWith, readKey, uintSchema as uint } from "../common/schema.ts";

const chainIdKey = z.string().regex(/^\d+$/, "a chain id");

const chainSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, "a lower-case name"),
  chainId: uint,
  role: z.enum(["bttc", "remote"]),
  rpcUrl: z.url(),
  /** Where the deployer's private key is: an environment variable, or a file holding it. */
  deployerKey: keySourceSchema,
  /** The kind of transaction the deployer sends (docs/operations.md, "Fees"): `auto` (default) is legacy
   * where the chain's blocks carry no base fee (BTTC), EIP-1559 where they do. */
  feeType: feeTypeSchema.default("auto"),
  guardian: address,
  /** Rolling 24-hour payout cap in wei, or null for none. */
  dailyLimit: uint.nullable(),
  timelockDelaySeconds: uint.default(0n),
  /** Addresses that schedule and execute admin actions (default: the deployer). */
  timelockOperators: z.array(address).optional(),
  fees: z.record(chainIdKey, uint).default({}),
  minimums: z.record(chainIdKey, uint).default({}),
  legacyToken: z.union([z.object({ address }), z.object({ mockDecimals: z.number().int().min(0).max(77) })]).optional(),
  swapMinimum: uint.optional(),
  reserve: uint.optional(),
});

export const deploymentSchema = z
  .object({
    validators: z.array(address).min(1).max(64),
    threshold: z.number().int().positive(),
    chains: z.array(chainSchema).min(2),
  })
  .refine((d) => d.threshold * 2 > d.validators.length && d.threshold <= d.validators.length, {
    message: "threshold must be more than half of the validators and at most all of them",
    path: ["threshold"],
  })
  .refine((d) => d.chains.filter((c) => c.role === "bttc").length === 1, {
    message: "exactly one chain must have role bttc",
    path: ["chains"],
  });

export type DeploymentConfig = z.infer<typeof deploymentSchema>;
export type ChainConfig = DeploymentConfig["chains"][number];

export function loadDeploymentConfig(path: string): DeploymentConfig {
  return loadJsonWith(deploymentSchema, path, "deployment file");
}

/** The deployer's key, from where the file says it is (never printed). */
export function readDeployerKey(chain: ChainConfig, env: NodeJS.ProcessEnv): string {
  return readKey(chain.deployerKey, env, `${chain.name} deployer key`);
}
