// What a node signs attestations with (docs/protocol.md, "Attestations"): one EIP-712 signature over an ordered batch of transfers
// for one destination gateway. Behind an interface so that a KMS or HSM can stand in for the key; the
// key that signs attestations is never the one that pays for transactions (payer.ts).
import type { TypedDataDomain, Wallet } from "ethers";
import type { KeySource } from "../../common/schema.ts";
import { batchDigest, type CompactSignature, type Transfer } from "../../common/transfer.ts";
import { signValidatorSetUpdate, type ValidatorSetUpdate } from "../../common/validators/set-update.ts";
import { inspectSymbol, walletFromKey, walletFromSource } from "../keys.ts";

export interface AttestationSigner {
  /** The checksummed address its signatures recover to: its entry in the validator set. */
  readonly address: string;
  /** Signs `transfers`, in this order, as one batch for the gateway of `domain`. */
  signBatch(domain: TypedDataDomain, transfers: readonly Transfer[]): Promise<CompactSignature>;
}

/** What signs a validator-set update with the attestation key (the approval endpoint, set-approver.ts). */
export interface SetUpdateSigner {
  readonly address: string;
  signValidatorSetUpdate(update: ValidatorSetUpdate): Promise<CompactSignature>;
}

/** An attestation signer holding its key in memory. */
export class WalletAttestationSigner implements AttestationSigner, SetUpdateSigner {
  readonly address: string;
  readonly #wallet: Wallet;

  constructor(privateKey: string) {
    this.#wallet = walletFromKey(privateKey, "attestation key");
    this.address = this.#wallet.address;
  }

  /** Reads the key from an environment variable or a file, as the node's configuration names it. */
  static fromSource(source: KeySource, env: NodeJS.ProcessEnv): WalletAttestationSigner {
    return new WalletAttestationSigner(walletFromSource(source, env, "attestation key").privateKey);
  }

  async signBatch(domain: TypedDataDomain, transfers: readonly Transfer[]): Promise<CompactSignature> {
    // What signTypedData signs, with the digest computed once and fast (common/batch-hashing.ts).
    const signature = this.#wallet.signingKey.sign(batchDigest(domain, transfers));
    return Promise.resolve({ r: signature.r, vs: signature.yParityAndS });
  }

  async signValidatorSetUpdate(update: ValidatorSetUpdate): Promise<CompactSignature> {
    return Promise.resolve(signValidatorSetUpdate(this.#wallet.signingKey, update));
  }

  toString(): string {
    return `WalletAttestationSigner(${this.address})`;
  }

  toJSON(): { address: string } {
    return { address: this.address };
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}
