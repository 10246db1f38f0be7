// TronLink through its wallet adapter: connect (TronLink asks the user), the account's base58 address,
// and signing the API's unsigned transaction.
import { TronLinkAdapter } from "@tronweb3/tronwallet-adapter-tronlink";
import type { TronTransaction } from "../api/types.ts";
import type { TronWallet } from "./types.ts";

let adapter: TronLinkAdapter | null = null;

function theAdapter(): TronLinkAdapter {
  adapter ??= new TronLinkAdapter({ dappName: "BTT Bridge", openTronLinkAppOnMobile: true, checkTimeout: 3_000 });
  return adapter;
}

export async function connectTronLink(onChange: (address: string | null) => void): Promise<TronWallet> {
  const a = theAdapter();
  await a.connect();
  if (!a.address) throw new Error("TronLink did not give an account: unlock it and try again.");
  a.removeAllListeners("accountsChanged");
  a.on("accountsChanged", (address: string) => onChange(address || null));
  a.removeAllListeners("disconnect");
  a.on("disconnect", () => onChange(null));
  return tronLinkWallet(a.address);
}

export function tronLinkWallet(address: string): TronWallet {
  return {
    kind: "tronlink",
    label: "TronLink",
    address,
    async sign(transaction: TronTransaction) {
      const signed = await theAdapter().signTransaction(transaction);
      return signed;
    },
  };
}

export async function disconnectTronLink(): Promise<void> {
  if (adapter) await adapter.disconnect();
}
