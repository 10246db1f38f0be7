// The swap form: From, Amount (BTTOLD, decimal text), Recipient on BTTC, the exact conversion, the
// quote; then the API's steps, signed in the wallet one by one. Nothing is signed once the API refused.
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { isAddress } from "viem";
import { legacyToBtt } from "../../../common/redenomination.ts";
import { formatAmount, parseAmount } from "../amounts.ts";
import { fieldOf, type FieldErrors } from "../api/fields.ts";
import { useApp } from "../app-context.tsx";
import { BTT_DECIMALS, chainLabel, TRC10_BTTOLD_ID, tokenStandard } from "../chains.ts";
import { sendSteps, type StepProgress } from "../flow/send-steps.ts";
import { useWarningGate } from "../flow/warning-gate.ts";
import { useDebounced, useLegacyDecimals } from "../hooks.ts";
import { useWallets } from "../wallet/wallet-context.tsx";
import { Field, FormError } from "./Field.tsx";
import { FollowSource } from "./FollowSource.tsx";
import { QuoteDetails } from "./QuoteDetails.tsx";
import { StepList } from "./StepList.tsx";

const SOURCES = ["tron", "ethereum", "bsc"] as const;

export function SwapForm() {
  const { api, evmChains } = useApp();
  const wallets = useWallets();
  const [from, setFrom] = useState<(typeof SOURCES)[number]>("tron");
  const [amountText, setAmountText] = useState("");
  const [recipientText, setRecipientText] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [steps, setSteps] = useState<StepProgress[]>([]);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const warningGate = useWarningGate();

  const recipient = recipientText ?? wallets.evm?.address ?? "";
  const decimals = useLegacyDecimals(from);
  const parsed = decimals.data === undefined ? null : parseAmount(amountText, decimals.data, "BTTOLD");
  const units = parsed?.ok ? parsed.value : null;
  const debouncedUnits = useDebounced(units);
  const quote = useQuery({
    queryKey: ["quote", "swap", from, debouncedUnits?.toString()],
    enabled: debouncedUnits !== null,
    queryFn: () => api.quote({ kind: "swap", from, amount: debouncedUnits! }),
    retry: false,
  });
  const quoteError = quote.error ? fieldOf(quote.error) : null;

  const tokenText = from === "tron" ? `TRC-10 ${TRC10_BTTOLD_ID}` : `${tokenStandard(from)} on ${chainLabel(from)}`;
  let conversion = `BTTOLD (${tokenText}) → BTT on BTTC, 1 BTTOLD = 1,000 BTT`;
  if (units !== null && decimals.data !== undefined) {
    conversion = `${formatAmount(units, decimals.data)} BTTOLD (${tokenText}) → ${formatAmount(legacyToBtt(units, decimals.data), BTT_DECIMALS)} BTT on BTTC`;
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const next: FieldErrors = {};
    if (decimals.data === undefined) next.general = "The token's decimals are not known yet; try again in a moment.";
    else if (!parsed?.ok) next.amount = parsed?.message ?? "Enter an amount.";
    if (!isAddress(recipient, { strict: true }))
      next.recipient = recipient
        ? "Enter an EVM address: 0x and 40 hex digits."
        : "Connect a wallet or enter the BTTC address that receives BTT.";
    const sender = from === "tron" ? wallets.tron?.address : wallets.evm?.address;
    if (!sender)
      next.general =
        from === "tron"
          ? "Connect TronLink (or pick a demo account) to send from TRON."
          : "Connect a wallet to send from " + chainLabel(from) + ".";
    setErrors(next);
    if (Object.keys(next).length > 0 || units === null || !sender) return;
    setBusy(true);
    setSteps([]);
    try {
      let built;
      try {
        built = await api.swap({ from, amount: units, sender, recipient });
      } catch (error) {
        const { field, message } = fieldOf(error);
        setErrors({ [field]: message });
        return; // the API refused: nothing is signed
      }
      const warning = warningGate(built, `${from}|${units}|${recipient}`);
      if (warning) {
        setErrors({ recipient: warning });
        return;
      }
      if (BigInt(built.quote.amountIn) !== units || (built.quote.legacyDecimals !== null && built.quote.legacyDecimals !== decimals.data)) {
        setErrors({ general: "The API's quote does not match the amount entered; nothing was signed. Reload the page and try again." });
        return;
      }
      const hash = await sendSteps(built, {
        api,
        evmChains,
        evm: wallets.evm,
        tron: wallets.tron,
        chain: from,
        amount: units,
        onProgress: setSteps,
      });
      setSent(hash);
    } catch (error) {
      const { field, message } = fieldOf(error);
      setErrors({ [field]: shortError(message) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form aria-label="Swap" className="panel form" onSubmit={(e) => void submit(e)} noValidate>
      <FormError message={errors.general} />
      <Field id="swap-from" label="From" error={errors.from}>
        {(aria) => (
          <select {...aria} value={from} onChange={(e) => (setFrom(e.target.value as typeof from), setErrors({}))} disabled={busy}>
            {SOURCES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        id="swap-amount"
        label="Amount"
        error={
          errors.amount ??
          (amountText && parsed && !parsed.ok ? parsed.message : undefined) ??
          (quoteError?.field === "amount" ? quoteError.message : undefined)
        }
        hint={decimals.data !== undefined ? `BTTOLD, up to ${decimals.data} decimals` : "BTTOLD"}
      >
        {(aria) => (
          <input
            {...aria}
            inputMode="decimal"
            autoComplete="off"
            spellCheck={false}
            value={amountText}
            onChange={(e) => (setAmountText(e.target.value), setErrors({}))}
            disabled={busy}
            placeholder="0.0"
          />
        )}
      </Field>
      <Field
        id="swap-recipient"
        label="Recipient on BTTC"
        error={errors.recipient}
        hint="Receives BTT on BTTC; your connected account by default"
      >
        {(aria) => (
          <input
            {...aria}
            autoComplete="off"
            spellCheck={false}
            className="mono"
            value={recipient}
            onChange={(e) => (setRecipientText(e.target.value), setErrors({}))}
            disabled={busy}
            placeholder="0x…"
          />
        )}
      </Field>
      <p className="conversion" data-testid="conversion" aria-live="polite">
        {conversion}
      </p>
      {quote.data && <QuoteDetails quote={quote.data} inDecimals={decimals.data ?? 6} inSymbol="BTTOLD" />}
      {quoteError && quoteError.field !== "amount" && <p className="muted">{quoteError.message}</p>}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Swapping…" : "Swap"}
      </button>
      <StepList steps={steps} />
      {sent && <FollowSource chain={from} txHash={sent} />}
    </form>
  );
}

/** Wallet errors carry long technical details after the first line. */
export function shortError(message: string): string {
  return message.split("\n")[0]!.slice(0, 400);
}
