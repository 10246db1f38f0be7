// Which form field an API refusal concerns, from its stable code (api/errors.ts) and, where a code
// fits several fields (an address), the field the message names (api/inputs.ts prefixes it).
import { ApiRequestError } from "./client.ts";

export type FormField = "amount" | "recipient" | "from" | "to" | "general";

const BY_CODE: Record<string, FormField> = {
  INVALID_AMOUNT: "amount",
  AMOUNT_ZERO: "amount",
  AMOUNT_NEGATIVE: "amount",
  AMOUNT_FRACTIONAL: "amount",
  AMOUNT_TOO_LARGE: "amount",
  AMOUNT_BELOW_MINIMUM: "amount",
  AMOUNT_NOT_ABOVE_FEE: "amount",
  AMOUNT_OVER_CAP: "amount",
  INSUFFICIENT_BALANCE: "amount",
  RECIPIENT_IS_BRIDGE_CONTRACT: "recipient",
  ROUTE_UNAVAILABLE: "from",
  UNKNOWN_CHAIN: "from",
};

export type FieldErrors = Partial<Record<FormField, string>>;

/** The field an error belongs to, and its message. */
export function fieldOf(error: unknown): { field: FormField; message: string } {
  if (!(error instanceof ApiRequestError)) return { field: "general", message: error instanceof Error ? error.message : String(error) };
  const m = error.message;
  if (error.code === "INVALID_ADDRESS" || error.code === "VALIDATION_FAILED") {
    if (/recipient/.test(m)) return { field: "recipient", message: m };
    if (/amount/.test(m)) return { field: "amount", message: m };
    return { field: "general", message: m };
  }
  if (error.code === "UNKNOWN_CHAIN" && /\/to\b|\bto\b/.test(m) && !/\/from/.test(m)) return { field: "to", message: m };
  return { field: BY_CODE[error.code] ?? "general", message: m };
}
