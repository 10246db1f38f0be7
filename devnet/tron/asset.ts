// TRC-10 tokens (java-tron's AssetIssueContract, as `wallet/getassetissuebyid` returns it).
import { parseAddress } from "./address.ts";

export interface AssetIssue {
  /** The token id, a decimal string ("1002000"). */
  readonly id: string;
  readonly name: string;
  readonly abbr: string;
  readonly precision: number;
  readonly totalSupply: bigint;
  /** Hex "41…" of the issuing account, which holds the supply no one else holds at genesis. */
  readonly ownerAddress: string;
  readonly trxNum: number;
  readonly num: number;
  readonly startTime: bigint;
  readonly endTime: bigint;
  readonly description: string;
  readonly url: string;
}

/** BitTorrent's legacy token on TRON, `1002000` "BitTorrent" (BTT), 6 decimals: BTTOLD in this project. */
export const BTTOLD_TOKEN: AssetIssue = {
  id: "1002000",
  name: "BitTorrent",
  abbr: "BTT",
  precision: 6,
  totalSupply: 990_000_000_000_000_000n,
  ownerAddress: parseAddress("TF5Bn4cJCT6GVeUgyCN4rBhDg42KBrpAjg"),
  trxNum: 1,
  num: 1,
  startTime: 1_548_000_000_000n,
  endTime: 1_548_000_001_000n,
  description: "Official Token of BitTorrent Protocol",
  url: "www.bittorrent.com",
};
