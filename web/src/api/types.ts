// The API's answers as the page reads them (docs/api.md). Amounts are decimal strings of base units;
// fields marked optional are newer than some APIs the page may talk to, so it shows what is there.

export interface TokenInfo {
  symbol: string;
  standard: string;
  tokenId: string | null;
  address: string | null;
  decimals: number;
  chain: string;
}

export interface Quote {
  kind: "bridge" | "swap";
  from: string;
  to: string;
  amountIn: string;
  amountOut: string;
  fee: string;
  minimum: string;
  networkFees: { chain: string; amount: string; unit: string; what: string }[];
  expectedSeconds: number;
  delayedBy: string | null;
  legacyDecimals: number | null;
  tokens?: { sent: TokenInfo; received: TokenInfo };
}

export interface EvmTransaction {
  chainId: string;
  from?: string;
  to: string;
  data: string;
  value: string;
  type?: 0;
  gasPrice?: string;
}

export interface EvmStep {
  family: "evm";
  action: "approve" | "redenominate" | "bridge";
  description: string;
  transaction: EvmTransaction & { from: string };
}

export interface TronStep {
  family: "tron";
  action: "deposit";
  description: string;
  memo: string;
  transaction: TronTransaction;
}

export interface TronTransaction {
  txID: string;
  raw_data: Record<string, unknown>;
  raw_data_hex: string;
  signature?: string[];
  visible?: boolean;
}

export interface Built {
  quote: Quote;
  steps: (EvmStep | TronStep)[];
  permit: unknown;
  warnings: { code: string; message: string }[];
}

export interface TimelineEntry {
  status: string;
  at: string;
  txHash: string | null;
  detail: string | null;
}

export interface Attestation {
  signatures: number;
  threshold: number;
  validators: number;
  signers: string[];
}

export type WaitingAction = "deliver_yourself" | "claim" | "refund";

export interface Transfer {
  id: string;
  status: string;
  kind: "bridge" | "swap";
  source: { chain: string | null; chainId: string; gateway: string; ref: string; txHash: string; blockNumber: string; sender: string };
  destination: { chain: string | null; chainId: string; recipient: string };
  amount: string;
  fee: string;
  legacyAmount: string | null;
  signatures: number | null;
  timeline: TimelineEntry[];
  updatedAt: string;
  attestation?: Attestation | null;
  delivery?: { txHash: string; blockNumber: string; final: boolean } | null;
  waiting?: { reason: string; message: string; until: string | null; actions: WaitingAction[] } | null;
  claimable?: { chain: string; recipient: string; amount: string } | null;
  tokens?: { sent: TokenInfo; received: TokenInfo };
}

export interface HistoryPage {
  transfers: Transfer[];
  nextCursor: string | null;
}

export interface ChainInfo {
  name: string;
  family: "evm" | "tron";
  role: "bttc" | "remote" | "swap-source";
  chainId: string;
  gateway: string | null;
  bridgedToken: string | null;
  legacyToken: string | null;
  depositAddress: string | null;
  finality: string;
  paused: boolean | null;
  dailyLimit: string | null;
  dailyLimitAvailable: string | null;
  routes: { to: string; fee: string; minAmount: string }[];
}

export interface DeliveryAnswer {
  transferId: string;
  chain: string;
  signatures: number;
  threshold: number;
  signers: string[];
  transaction: EvmTransaction;
}

export interface ClaimAnswer {
  chain: string;
  recipient: string;
  amount: string;
  transaction: EvmTransaction;
}

export interface ChainStats {
  chain: string;
  role: "bttc" | "remote";
  locked: string | null;
  surplus: string | null;
  deficit: string | null;
  minted: string | null;
  swapped: string;
  swapOwed: string | null;
  feesHeld: string;
  reserveBalance: string | null;
  inFlight: { bridge: string; swap: string; transfers: number };
}

export interface Stats {
  chains: ChainStats[];
  invariant: {
    holds: boolean;
    bridge: { locked: string; minted: string; inFlight: string; surplus: string; holds: boolean };
    swap: { reservePaid: string; owedByEvmSources: string; evmInFlight: string; paidForOtherSources: string; holds: boolean };
  };
  scannedTo: Record<string, string>;
}
