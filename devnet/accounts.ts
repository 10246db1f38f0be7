// Who is who on the local testnet. Every key is derived from Hardhat's published development mnemonic
// (or from a published label), so the testnet is the same on every machine and its keys are worthless
// anywhere else: they must never hold real value.
import { HDNodeWallet, Wallet, keccak256, toUtf8Bytes } from "ethers";
import { DevnetError } from "./errors.ts";

export const DEVNET_MNEMONIC = "test test test test test test test test test test test junk";

/** Hardhat's development account `i` (m/44'/60'/0'/0/i): funded with gas on every devnet EVM chain. */
export function hardhatAccount(index: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(DEVNET_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
}

/** How many of Hardhat's accounts the devnet presents to users as demo accounts (0 … n-1). */
export const DEMO_ACCOUNT_COUNT = 5;
/** Account 0 deploys, is the guardian, and funds the reserve; it is also the first demo account. */
export const DEPLOYER_INDEX = 0;
/** Accounts 17, 18, 19 pay for the three relayer nodes' deliveries. */
export const PAYER_INDEXES = [17, 18, 19] as const;

export interface RelayerIdentity {
  id: string;
  /** Signs attestations only: holds nothing, so it is not one of Hardhat's funded accounts. */
  attestation: Wallet;
  /** Pays for delivery transactions. */
  payer: HDNodeWallet;
}

/** The three relayer nodes n1, n2, n3: their attestation keys are the validator set. */
export function relayerIdentities(count = 3): RelayerIdentity[] {
  if (count > PAYER_INDEXES.length)
    throw new DevnetError("TOO_MANY_RELAYERS", `the devnet has payer accounts for ${PAYER_INDEXES.length} relayer nodes`);
  return Array.from({ length: count }, (_, i) => ({
    id: `n${i + 1}`,
    attestation: new Wallet(keccak256(toUtf8Bytes(`BTT Bridge devnet validator ${i + 1}`))),
    payer: hardhatAccount(PAYER_INDEXES[i]!),
  }));
}

/** Account 15 pays for the standby node n4's deliveries, once it runs. */
export const STANDBY_PAYER_INDEX = 15;

/** n4: configured by the devnet (a peer of n1…n3, its key in the keys folder) but neither started nor in
 * the validator set: the node an operator rotates in (docs/operations.md, "Rotating validators"). */
export function standbyIdentity(): RelayerIdentity {
  return {
    id: "n4",
    attestation: new Wallet(keccak256(toUtf8Bytes("BTT Bridge devnet validator 4"))),
    payer: hardhatAccount(STANDBY_PAYER_INDEX),
  };
}

/** The TRON deposit account of the redenomination: its key is held by the operator (relayer n1 here). */
export function tronDepositWallet(): Wallet {
  return new Wallet(keccak256(toUtf8Bytes("BTT Bridge devnet TRON deposit")));
}
