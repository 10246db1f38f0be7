// The files the devnet writes into its data folder: each relayer node's configuration and keys, and
// `devnet.json`, which says where everything is (the CLI and the end-to-end test read it).
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RelayerIdentity } from "./accounts.ts";
import type { DevnetEvmChain } from "./chains.ts";
import type { DeployedDevnetChain } from "./deploy.ts";

export interface DevnetInfo {
  startedAt: string;
  api: { url: string; docs: string };
  /** The web app the devnet serves. */
  web?: { url: string };
  redis: { url: string; prefix: string };
  threshold: number;
  chains: Record<string, Record<string, string | number>>;
  relayers: { id: string; url: string; signer: string; payer: string; config: string; keyPrefix: string; pid?: number }[];
  accounts: { index: number; address: string; tronAddress: string; privateKey: string }[];
  /** Process id of each part the devnet started, by name (the devnet itself under "devnet"). */
  processes: Record<string, number>;
}

/** Smallest TRON deposit swapped, in BTTOLD base units: the relayers' and the API's `minimumUnits` are both
 * written from this one value, so a quote never promises what the relayers reject. */
export const TRON_SWAP_MINIMUM_UNITS = 1n;

/** How long a TRON transaction may wait for a block: TronWeb sets its expiration 60 s after the head
 * block it was built on. */
const TRON_TX_LIFETIME_MS = 60_000;

function writeKey(dir: string, name: string, key: string): string {
  const file = join(dir, `${name}.key`);
  // A new file each time, created readable by the owner only (a mode applies only when a file is created).
  rmSync(file, { force: true });
  writeFileSync(file, key + "\n", { mode: 0o600, flag: "wx" });
  return file;
}

export interface TronInput {
  chainId: bigint;
  fullHost: string;
  depositAddress: string;
  depositKey: string;
  solidityDepth: number;
  blockTimeMs: number;
}

export interface RelayerConfigInput {
  tron: TronInput;
  dataDir: string;
  host: string;
  redisUrl: string;
  redisPrefix: string;
  relayerPort: number;
  chains: readonly DevnetEvmChain[];
  deployed: readonly DeployedDevnetChain[];
  identities: readonly RelayerIdentity[];
}

/** Writes n1…n3's configurations (keys in files beside them, readable by the owner only). */
export function writeRelayerConfigs(input: RelayerConfigInput): { id: string; file: string; url: string; keyPrefix: string }[] {
  const keyDir = join(input.dataDir, "keys");
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  chmodSync(keyDir, 0o700);
  const url = (i: number) => `http://${input.host}:${input.relayerPort + i}`;
  return input.identities.map((identity, i) => {
    const keyPrefix = `${input.redisPrefix}${identity.id}:`;
    const config = {
      id: identity.id,
      redisUrl: input.redisUrl,
      keyPrefix,
      attestationKey: { file: writeKey(keyDir, `${identity.id}-attestation`, identity.attestation.privateKey) },
      payerKey: { file: writeKey(keyDir, `${identity.id}-payer`, identity.payer.privateKey) },
      http: { host: input.host, port: input.relayerPort + i },
      peers: input.identities
        .map((peer, j) => ({ peer, j }))
        .filter(({ j }) => j !== i)
        .map(({ peer, j }) => ({ id: peer.id, url: url(j), signer: peer.attestation.address })),
      chains: input.chains.map((chain): Record<string, unknown> => {
        const d = input.deployed.find((x) => x.name === chain.name)!;
        return {
          name: chain.name,
          chainId: chain.chainId.toString(),
          rpcUrl: chain.rpcUrl,
          gateway: d.gateway,
          finality: { confirmations: 2 },
          startBlock: d.deployBlock.toString(),
          pollIntervalMs: 500,
        };
      }),
    };
    config.chains.push(tronEntry(input, keyDir, i === 0));
    const file = join(input.dataDir, `relayer-${identity.id}.json`);
    writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
    return { id: identity.id, file, url: url(i), keyPrefix };
  });
}

export function writeDevnetInfo(dataDir: string, info: DevnetInfo): string {
  const file = join(dataDir, "devnet.json");
  writeFileSync(file, JSON.stringify(info, null, 2) + "\n");
  return file;
}

/** The TRON chain entry of a relayer node: only n1, the operator, holds the deposit key (refunds, burns). */
function tronEntry(input: RelayerConfigInput, keyDir: string, operator: boolean): Record<string, unknown> {
  return {
    name: "tron",
    family: "tron",
    chainId: input.tron.chainId.toString(),
    fullHost: input.tron.fullHost,
    depositAddress: input.tron.depositAddress,
    ...(operator ? { depositKey: { file: writeKey(keyDir, "tron-deposit", input.tron.depositKey) } } : {}),
    minimumUnits: TRON_SWAP_MINIMUM_UNITS.toString(),
    swapTo: "bttc",
    startBlock: "0",
    pollIntervalMs: 500,
    // A short interval so that burns show within seconds. settleMs is not shortened: it is what keeps a
    // start after a loss of n1's Redis data (which takes the note of the burn in flight with it) from
    // burning twice, so it must outlast a burn sent just before the loss — a transaction's lifetime plus
    // two blocks, until a block past its expiration is made. The first burns after a devnet start come
    // that much later.
    burn: { batchSize: 20, intervalMs: 5_000, settleMs: TRON_TX_LIFETIME_MS + 2 * input.tron.blockTimeMs },
  };
}

export interface ApiConfigInput {
  dataDir: string;
  host: string;
  port: number;
  redisUrl: string;
  /** The key prefix of the relayer node the API follows. */
  followPrefix: string;
  blockTimeMs: number;
  chains: readonly DevnetEvmChain[];
  deployed: readonly DeployedDevnetChain[];
  relayers: readonly { id: string; url: string }[];
  tron: TronInput;
  /** Origins whose pages may call the API (the devnet's web app). */
  corsOrigins?: readonly string[];
}

/** The API's configuration: it follows n1 and reads the chains directly. */
export function writeApiConfig(input: ApiConfigInput): string {
  const config = {
    host: input.host,
    port: input.port,
    redisUrl: input.redisUrl,
    keyPrefix: input.followPrefix,
    chains: [
      ...input.chains.map((chain) => {
        const d = input.deployed.find((x) => x.name === chain.name)!;
        return {
          name: chain.name,
          family: "evm",
          role: chain.role,
          chainId: chain.chainId.toString(),
          rpcUrl: chain.rpcUrl,
          gateway: d.gateway,
          ...(d.legacyToken ? { legacyToken: d.legacyToken } : {}),
          finality: { confirmations: 2 },
          blockTimeMs: input.blockTimeMs,
          startBlock: d.deployBlock.toString(),
        };
      }),
      {
        name: "tron",
        family: "tron",
        chainId: input.tron.chainId.toString(),
        fullHost: input.tron.fullHost,
        depositAddress: input.tron.depositAddress,
        minimumUnits: TRON_SWAP_MINIMUM_UNITS.toString(),
        solidityDepth: input.tron.solidityDepth,
        blockTimeMs: input.tron.blockTimeMs,
      },
    ],
    relayers: input.relayers.map((r) => ({ id: r.id, url: r.url })),
    corsOrigins: [...(input.corsOrigins ?? [])],
    // A person trying the devnet, and its end-to-end test, should never meet the rate limit.
    rateLimit: { max: 100_000, timeWindow: 60_000 },
  };
  const file = join(input.dataDir, "api.json");
  writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
  return file;
}
