// Guard rails on a recipient (docs/api.md "Recipients"): BTT sent to a gateway or to a BTTOLD token
// contract is lost to its sender, so such a recipient is refused before anything is built; another
// contract is allowed but warned about, since it may not be able to take the payout.
import { getAddress } from "ethers";
import type { EvmChain } from "./chains/evm-chain.ts";
import type { ChainRegistry } from "./chains/registry.ts";
import { ApiError } from "./errors.ts";

export interface Warning {
  code: "RECIPIENT_IS_CONTRACT";
  message: string;
}

export class RecipientGuard {
  private readonly chains: ChainRegistry;
  private readonly warn: (message: string) => void;

  constructor(chains: ChainRegistry, warn: (message: string) => void) {
    this.chains = chains;
    this.warn = warn;
  }

  /** Refuses a bridge contract as `recipient` on `dst`; the warnings for any other contract. */
  async check(dst: EvmChain, recipient: string): Promise<Warning[]> {
    const known = await this.bridgeContract(dst, getAddress(recipient));
    if (known) {
      throw new ApiError(
        "RECIPIENT_IS_BRIDGE_CONTRACT",
        `recipient ${recipient} is ${known}; BTT sent there cannot be taken back: send to your own wallet address on ${dst.name}`,
      );
    }
    let code: string;
    try {
      code = await dst.read("code", () => dst.provider.getCode(recipient));
    } catch (error) {
      // Only a warning hangs on it: the request goes on without one.
      this.warn(`${dst.name}: recipient ${recipient} not checked for code (${(error as Error).message})`);
      return [];
    }
    if (code === "0x") return [];
    const payout = dst.config.role === "bttc" ? "native BTT" : "bridged BTT (an ERC-20 token)";
    return [
      {
        code: "RECIPIENT_IS_CONTRACT",
        message:
          `recipient ${recipient} is a contract on ${dst.name}: it must be able to receive ${payout}, ` +
          `or the payout waits as claimable on BTTC; send to your own wallet address unless you know it can`,
      },
    ];
  }

  /** What `address` is among the bridge's contracts, in words (the destination's first), or null. The
   * same deployer on several chains gives the same addresses there, so an address may be more than one. */
  private async bridgeContract(dst: EvmChain, address: string): Promise<string | null> {
    const found: string[] = [];
    const chains = [dst, ...this.chains.evmChains().filter((c) => c !== dst)];
    for (const chain of chains) {
      const where = chain === dst ? `on ${chain.name}, the destination` : `on ${chain.name}`;
      if (getAddress(chain.config.gateway) === address) {
        found.push(`${chain.config.role === "bttc" ? "the bridge gateway" : "the bridge gateway (the bridged BTT token itself)"} ${where}`);
      }
      if ((await this.legacyToken(chain)) === address) found.push(`the legacy BTTOLD token contract ${where}`);
    }
    return found.length === 0 ? null : found.join(", and ");
  }

  /** The configured legacy token, else the gateway's own; a chain that does not answer has none known. */
  private async legacyToken(chain: EvmChain): Promise<string | null> {
    if (chain.config.legacyToken) return getAddress(chain.config.legacyToken);
    try {
      return await chain.legacyToken();
    } catch {
      return null;
    }
  }
}
