// The runtime configuration: ./config.json beside index.html, read once at start-up. The same build
// serves any deployment: the API's URL, the chains' RPC URLs and (on a devnet only) the demo accounts
// come from this file, never from the bundle.
import { z } from "zod";

const evmChain = z.object({ chainId: z.string().regex(/^\d{1,12}$/), rpcUrl: z.url(), name: z.string().optional() });

export const runtimeConfigSchema = z.object({
  apiUrl: z.url(),
  devnet: z.boolean().default(false),
  chains: z
    .object({
      bttc: evmChain.optional(),
      ethereum: evmChain.optional(),
      bsc: evmChain.optional(),
      tron: z.object({ fullHost: z.url(), chainId: z.string().optional() }).optional(),
    })
    .default({}),
  demoAccounts: z
    .array(
      z.object({
        index: z.number().int().min(0),
        address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
        tronAddress: z.string(),
        privateKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
      }),
    )
    .default([]),
});

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;
export type EvmChainName = "bttc" | "ethereum" | "bsc";
export const EVM_CHAINS: readonly EvmChainName[] = ["bttc", "ethereum", "bsc"];

export async function loadConfig(url = "./config.json"): Promise<RuntimeConfig> {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: the page needs its config.json beside index.html`);
  const parsed = runtimeConfigSchema.safeParse(await response.json());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`config.json: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const config = parsed.data;
  // Demo keys are public development keys: they are only ever used on a devnet.
  return config.devnet ? config : { ...config, demoAccounts: [] };
}
