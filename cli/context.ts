// What every command needs: the API to talk to, the chains' RPC endpoints (to sign and wait on the
// user's side), and the user's key. On the local testnet all of it comes from `.devnet/devnet.json`;
// elsewhere from flags (--api, --rpc name=url) and the BTTB_PRIVATE_KEY environment variable.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ApiClient } from "./api-client.ts";
import { UsageError } from "./errors.ts";

export interface DevnetFile {
  api: { url: string };
  chains: Record<
    string,
    {
      family: string;
      chainId: string;
      rpcUrl?: string;
      fullHost?: string;
      legacyToken?: string;
      legacyDecimals?: number;
      token?: string;
      depositAddress?: string;
      gateway?: string;
    }
  >;
  accounts: { index: number; address: string; tronAddress: string; privateKey: string }[];
  /** `standby`: configured (its key in the devnet's keys folder) but not started, e.g. n4 to rotate in. */
  relayers: { id: string; url: string; config: string; pid?: number; signer?: string; operatorTokenFile?: string; standby?: boolean }[];
}

export interface CliContext {
  api: ApiClient;
  devnet: DevnetFile | null;
  /** EVM JSON-RPC or TRON HTTP endpoint per chain name. */
  endpoints: Record<string, string>;
  baseUnits: boolean;
  json: boolean;
  out: (line: string) => void;
  /** The user's private key: --account i (a devnet demo account) or the BTTB_PRIVATE_KEY variable. */
  privateKey(): string;
}

export interface GlobalFlags {
  api?: string | undefined;
  devnet?: string | undefined;
  rpc?: string[] | undefined;
  account?: string | undefined;
  "base-units"?: boolean | undefined;
  json?: boolean | undefined;
}

export function loadDevnet(path: string | undefined): DevnetFile | null {
  const file = resolve(path ?? ".devnet/devnet.json");
  if (!existsSync(file)) {
    if (path) throw new UsageError(`no devnet file at ${file}`, "NO_DEVNET");
    return null;
  }
  return JSON.parse(readFileSync(file, "utf8")) as DevnetFile;
}

export function createContext(flags: GlobalFlags, env: NodeJS.ProcessEnv, out: (line: string) => void): CliContext {
  const devnet = loadDevnet(flags.devnet);
  const apiUrl = flags.api ?? env.BTTB_API_URL ?? devnet?.api.url ?? "http://127.0.0.1:8080";
  const endpoints: Record<string, string> = {};
  for (const [name, chain] of Object.entries(devnet?.chains ?? {})) {
    const url = chain.rpcUrl ?? chain.fullHost;
    if (url) endpoints[name] = url;
  }
  for (const pair of flags.rpc ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--rpc takes name=url, not "${pair}"`);
    endpoints[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return {
    api: new ApiClient(apiUrl),
    devnet,
    endpoints,
    baseUnits: flags["base-units"] ?? false,
    json: flags.json ?? false,
    out,
    privateKey() {
      if (flags.account !== undefined) {
        if (!devnet)
          throw new UsageError("--account picks a devnet demo account, but no devnet is running here (.devnet/devnet.json)", "NO_DEVNET");
        const account = devnet.accounts.find((a) => String(a.index) === flags.account);
        if (!account)
          throw new UsageError(
            `--account ${flags.account}: the devnet's demo accounts are ${devnet.accounts.map((a) => a.index).join(", ")}`,
          );
        return account.privateKey;
      }
      const key = env.BTTB_PRIVATE_KEY;
      if (!key) throw new UsageError("no key: give --account <i> (devnet demo account) or set BTTB_PRIVATE_KEY", "NO_KEY");
      return key;
    },
  };
}

export function endpointOf(ctx: CliContext, chain: string): string {
  const url = ctx.endpoints[chain];
  if (!url) throw new UsageError(`no endpoint for ${chain}: give --rpc ${chain}=<url>`, "NO_ENDPOINT");
  return url;
}
