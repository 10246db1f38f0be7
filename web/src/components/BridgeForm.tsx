// The bridge form: From, To, Amount (BTT, decimal text), Recipient, the exact amounts with the route's
// fee, the quote; then the API's step, sent from the wallet (on BTTC as a legacy transaction with the
// API's gasPrice). Nothing is signed once the API refused.
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { isAddress } from "viem";
import { formatAmount, parseAmount } from "../amounts.ts";
import { fieldOf, type FieldErrors } from "../api/fields.ts";
import { useApp } from "../app-context.tsx";
import { BTT_DECIMALS, bttName, chainLabel } from "../chains.ts";
import { sendSteps, type StepProgress } from "../flow/send-steps.ts";
import { useWarningGate } from "../flow/warning-gate.ts";
import { useChainsInfo, useDebounced } from "../hooks.ts";
import { useWallets } from "../wallet/wallet-context.tsx";
import { Field, FormError } from "./Field.tsx";
import { FollowSource } from "./FollowSource.tsx";
import { QuoteDetails } from "./QuoteDetails.tsx";
import { StepList } from "./StepList.tsx";
import { shortError } from "./SwapForm.tsx";

const CHAINS = ["bttc", "ethereum", "bsc"] as const;
type Chain = (typeof CHAINS)[number];

export function BridgeForm() {
  const { api, evmChains } = useApp();
  const wallets = useWallets();
  const chains = useChainsInfo();
  const [from, setFrom] = useState<Chain>("bttc");
  const [to, setTo] = useState<Chain>("ethereum");
  const [amountText, setAmountText] = useState("");
  const [recipientText, setRecipientText] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [steps, setSteps] = useState<StepProgress[]>([]);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const warningGate = useWarningGate();

  const recipient = recipientText ?? wallets.evm?.address ?? "";
  const parsed = parseAmount(amountText, BTT_DECIMALS, "BTT");
  const units = parsed.ok ? parsed.value : null;
  const debouncedUnits = useDebounced(units);
  const quote = useQuery({
    queryKey: ["quote", "bridge", from, to, debouncedUnits?.toString()],
    enabled: debouncedUnits !== null && from !== to,
    queryFn: () => api.quote({ kind: "bridge", from, to, amount: debouncedUnits! }),
    retry: false,
  });
  const quoteError = quote.error ? fieldOf(quote.error) : null;
  const route = chains.data?.chains.find((c) => c.name === from)?.routes.find((r) => r.to === to);

  let conversion = `${bttName(from)} on ${chainLabel(from)} → ${bttName(to)} on ${chainLabel(to)}`;
  if (from === to) conversion = "Choose two different chains.";
  else if (units !== null && route) {
    const fee = BigInt(route.fee);
    const out = units > fee ? units - fee : 0n;
    conversion = `${formatAmount(units, BTT_DECIMALS)} ${bttName(from)} on ${chainLabel(from)} → ${formatAmount(out, BTT_DECIMALS)} ${bttName(to)} on ${chainLabel(to)} (fee ${formatAmount(fee, BTT_DECIMALS)} BTT)`;
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const next: FieldErrors = {};
    if (from === to) next.to = "Choose a destination other than the source.";
    if (!parsed.ok) next.amount = parsed.message;
    if (!isAddress(recipient, { strict: true }))
      next.recipient = recipient
        ? "Enter an EVM address: 0x and 40 hex digits."
        : "Connect a wallet or enter the address that receives BTT.";
    const sender = wallets.evm?.address;
    if (!sender) next.general = `Connect a wallet (or pick a demo account) to send from ${chainLabel(from)}.`;
    setErrors(next);
    if (Object.keys(next).length > 0 || units === null || !sender) return;
    setBusy(true);
    setSteps([]);
    try {
      let built;
      try {
        built = await api.bridge({ from, to, amount: units, sender, recipient });
      } catch (error) {
        const { field, message } = fieldOf(error);
        setErrors({ [field]: message });
        return; // the API refused: nothing is signed
      }
      const warning = warningGate(built, `${from}|${to}|${units}|${recipient}`);
      if (warning) {
        setErrors({ recipient: warning });
        return;
      }
      if (BigInt(built.quote.amountIn) !== units) {
        setErrors({ general: "The API's quote does not match the amount entered; nothing was signed." });
        return;
      }
      const hash = await sendSteps(built, {
        api,
        evmChains,
        evm: wallets.evm,
        tron: null,
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

  const chainSelect = (id: string, label: string, value: Chain, set: (c: Chain) => void, error: string | undefined) => (
    <Field id={id} label={label} error={error}>
      {(aria) => (
        <select {...aria} value={value} disabled={busy} onChange={(e) => (set(e.target.value as Chain), setErrors({}))}>
          {CHAINS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  return (
    <form aria-label="Bridge" className="panel form" onSubmit={(e) => void submit(e)} noValidate>
      <FormError message={errors.general} />
      <div className="row">
        {chainSelect("bridge-from", "From", from, setFrom, errors.from)}
        {chainSelect("bridge-to", "To", to, setTo, errors.to)}
      </div>
      <Field
        id="bridge-amount"
        label="Amount"
        hint="BTT, up to 18 decimals, the fee included"
        error={
          errors.amount ??
          (amountText && !parsed.ok ? parsed.message : undefined) ??
          (quoteError?.field === "amount" ? quoteError.message : undefined)
        }
      >
        {(aria) => (
          <input
            {...aria}
            inputMode="decimal"
            autoComplete="off"
            spellCheck={false}
            value={amountText}
            disabled={busy}
            placeholder="0.0"
            onChange={(e) => (setAmountText(e.target.value), setErrors({}))}
          />
        )}
      </Field>
      <Field
        id="bridge-recipient"
        label="Recipient"
        hint={`Receives BTT on ${chainLabel(to)}; your connected account by default`}
        error={errors.recipient}
      >
        {(aria) => (
          <input
            {...aria}
            className="mono"
            autoComplete="off"
            spellCheck={false}
            value={recipient}
            disabled={busy}
            placeholder="0x…"
            onChange={(e) => (setRecipientText(e.target.value), setErrors({}))}
          />
        )}
      </Field>
      <p className="conversion" data-testid="conversion" aria-live="polite">
        {conversion}
      </p>
      {quote.data && <QuoteDetails quote={quote.data} inDecimals={BTT_DECIMALS} inSymbol="BTT" />}
      {quoteError && quoteError.field !== "amount" && <p className="muted">{quoteError.message}</p>}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Bridging…" : "Bridge"}
      </button>
      <StepList steps={steps} />
      {sent && <FollowSource chain={from} txHash={sent} />}
    </form>
  );
}
