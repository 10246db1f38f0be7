// Live status of one transfer from the API's server-sent events: the first `transfer` event replaces the
// cached transfer; each `status` event refetches it (so that fields beyond the timeline entry — the
// attestation, why it waits — come along); `end` closes the stream. While the stream is not open the
// page polls instead, so a proxy that drops event streams costs only latency.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useApp } from "../app-context.tsx";
import type { Transfer } from "../api/types.ts";

export type StreamState = "connecting" | "live" | "ended" | "unavailable";

export function useTransferEvents(id: string, enabled: boolean): StreamState {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const [state, setState] = useState<StreamState>("connecting");
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource(api.eventsUrl(id));
    const key = ["transfer", id];
    source.addEventListener("open", () => setState("live"));
    source.addEventListener("transfer", (e) => {
      queryClient.setQueryData(key, JSON.parse((e as MessageEvent<string>).data) as Transfer);
    });
    source.addEventListener("status", () => void queryClient.invalidateQueries({ queryKey: key }));
    source.addEventListener("end", () => {
      source.close();
      setState("ended");
      void queryClient.invalidateQueries({ queryKey: key });
    });
    source.addEventListener("error", () => {
      // A stream refused outright (404, 429) is closed by the browser; a dropped one reconnects by itself.
      if (source.readyState === EventSource.CLOSED) setState("unavailable");
      else setState("connecting");
    });
    return () => source.close();
  }, [api, id, enabled, queryClient]);
  return state;
}
