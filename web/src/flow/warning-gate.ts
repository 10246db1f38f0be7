// What the API warns of before signing (a contract recipient, which must be able to receive BTT) stops
// the first submit: the warning is shown at the recipient field, and only submitting the same request
// again goes on to sign.
import { useState } from "react";
import type { Built } from "../api/types.ts";

export function useWarningGate(): (built: Built, request: string) => string | null {
  const [acknowledged, setAcknowledged] = useState<string | null>(null);
  return (built, request) => {
    if (built.warnings.length === 0 || acknowledged === request) return null;
    setAcknowledged(request);
    return `${built.warnings.map((w) => w.message).join(" ")} Submit again to send anyway.`;
  };
}
