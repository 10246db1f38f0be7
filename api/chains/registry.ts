// The chains the API knows, by name and by id, built once from the configuration.
import type { ApiConfig } from "../config.ts";
import { ApiError } from "../errors.ts";
import { EvmChain, MisconfiguredError } from "./evm-chain.ts";
import { TronChain } from "./tron-chain.ts";

export type AnyChain = EvmChain | TronChain;

export class ChainRegistry {
  readonly all: readonly AnyChain[];
  readonly home: EvmChain;
  private readonly byName = new Map<string, AnyChain>();
  private readonly chainsById = new Map<bigint, AnyChain>();

  constructor(config: ApiConfig) {
    const options = { cacheMs: config.chainCacheMs, timeoutMs: config.requestTimeoutMs };
    this.all = config.chains.map((c) => (c.family === "evm" ? new EvmChain(c, options) : new TronChain(c, options)));
    for (const chain of this.all) {
      this.byName.set(chain.name, chain);
      this.chainsById.set(chain.chainId, chain);
    }
    this.home = this.all.find((c): c is EvmChain => c instanceof EvmChain && c.config.role === "bttc")!;
  }

  names(): string[] {
    return this.all.map((c) => c.name);
  }

  get(name: string): AnyChain {
    const chain = this.byName.get(name);
    if (!chain) throw new ApiError("UNKNOWN_CHAIN", `unknown chain "${name}"; known: ${this.names().join(", ")}`);
    return chain;
  }

  evm(name: string, why: string): EvmChain {
    const chain = this.get(name);
    if (!(chain instanceof EvmChain)) throw new ApiError("ROUTE_UNAVAILABLE", `${name} ${why}`);
    return chain;
  }

  byId(chainId: bigint): AnyChain | null {
    return this.chainsById.get(chainId) ?? null;
  }

  nameOf(chainId: bigint): string | null {
    return this.chainsById.get(chainId)?.name ?? null;
  }

  evmChains(): EvmChain[] {
    return this.all.filter((c): c is EvmChain => c instanceof EvmChain);
  }

  /**
   * At start-up: refuses a configuration the chains contradict (a legacy token the gateway does not
   * take). A chain that does not answer yet is only warned about — /health reports it until it does.
   */
  async checkAgainstChains(warn: (message: string) => void): Promise<void> {
    await Promise.all(
      this.evmChains().map(async (chain) => {
        try {
          await chain.legacyToken();
        } catch (error) {
          if (error instanceof MisconfiguredError) throw error;
          warn(`${chain.name}: not checked at start-up (${(error as Error).message})`);
        }
      }),
    );
  }

  close(): void {
    for (const chain of this.evmChains()) chain.close();
  }
}
