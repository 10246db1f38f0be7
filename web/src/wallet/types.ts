// What the pages need of a wallet, whichever it is (a browser wallet, TronLink, or a devnet demo key).
import type { Hex } from "viem";
import type { EvmTransaction, TronTransaction } from "../api/types.ts";

export interface EvmWallet {
  kind: "injected" | "demo";
  /** The wallet's name (as announced through EIP-6963), or "Demo account n". */
  label: string;
  address: Hex;
  /** Sends one transaction as the API built it (legacy `type: 0` with its gasPrice where given), on its
   * chain (switching the wallet there first), and returns its hash. */
  send(transaction: EvmTransaction): Promise<Hex>;
}

export interface TronWallet {
  kind: "tronlink" | "demo";
  label: string;
  address: string;
  /** Signs the unsigned transaction the API built; returns it with its signature. */
  sign(transaction: TronTransaction): Promise<TronTransaction>;
}
