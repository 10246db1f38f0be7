// Schema pieces every configuration file shares (deployment, relayer, API): amounts and ids as bigint
// from decimal strings, checksummed addresses, and where a private key is kept.
import { readFileSync } from "node:fs";
import { getAddress, isAddress } from "ethers";
import { z } from "zod";
import { BridgeError } from "./errors.ts";

/** A non-negative integer, given as a decimal string (any size) or a safe JSON number. */
export const uintSchema = z
  .union([z.string().regex(/^\d+$/, "a decimal string"), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)])
  .transform((v) => BigInt(v));

/** An EVM address, checksummed on the way in. */
export const addressSchema = z
  .string()
  .refine(isAddress, "an EVM address")
  .transform((a) => getAddress(a));

/** Where a private key is: an environment variable, or a file holding it. */
export const keySourceSchema = z.union([z.object({ env: z.string().min(1) }).strict(), z.object({ file: z.string().min(1) }).strict()]);
export type KeySource = z.infer<typeof keySourceSchema>;

/** A configuration file or value that cannot be used: start-up stops with this message. */
export class ConfigError extends BridgeError<"CONFIG_INVALID"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFIG_INVALID", message, { cause: options?.cause });
  }
}

/** Parses `raw` with `schema`, or throws a ConfigError listing every problem with its path. */
export function parseWith<T extends z.ZodType>(schema: T, raw: unknown, origin: string): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`invalid ${origin}:\n${problems.join("\n")}`);
  }
  return parsed.data;
}

/** Reads and parses a JSON file with `schema`. */
export function loadJsonWith<T extends z.ZodType>(schema: T, path: string, what: string): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ConfigError(`cannot read ${what} ${path}: ${(cause as Error).message}`);
  }
  return parseWith(schema, raw, `${what} ${path}`);
}

/** A key from where `source` says it is. Never log the result. */
export function readKey(source: KeySource, env: NodeJS.ProcessEnv, what: string): string {
  const key = "env" in source ? env[source.env] : readFileSync(source.file, "utf8").trim();
  if (!key) {
    const where = "env" in source ? `environment variable ${source.env}` : `file ${source.file}`;
    throw new ConfigError(`no ${what} in ${where}`);
  }
  return key;
}
