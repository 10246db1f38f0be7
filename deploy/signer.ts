// The deployer's signer: one nonce after another (ethers' NonceManager), and every transaction of the
// kind the chain takes (docs/operations.md, "Fees"): `auto` leaves it to ethers, which sends a legacy
// `gasPrice` transaction where the latest block has no base fee (BTTC, under Berlin rules) and EIP-1559
// where it has one; `legacy` or `eip1559` in the deployment file fixes it.
import { NonceManager, type Signer, type TransactionRequest, type TransactionResponse } from "ethers";
import type { FeeType } from "../common/chains/config.ts";

const TYPE_OF: Record<FeeType, 0 | 2 | undefined> = { auto: undefined, legacy: 0, eip1559: 2 };

export class DeployerSigner extends NonceManager {
  readonly feeType: FeeType;

  constructor(signer: Signer, feeType: FeeType = "auto") {
    super(signer);
    this.feeType = feeType;
  }

  override connect(provider: Parameters<NonceManager["connect"]>[0]): DeployerSigner {
    return new DeployerSigner(this.signer.connect(provider), this.feeType);
  }

  override sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const type = TYPE_OF[this.feeType];
    return super.sendTransaction(type === undefined || tx.type != null ? tx : { ...tx, type });
  }
}
