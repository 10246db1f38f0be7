// GET /v1/transfers/:id/events: server-sent events as a transfer's status changes. The followed node's
// store is polled (no keyspace notifications needed, which managed Redis often has off): the first
// event is the transfer as it is, then one `status` event per new timeline entry; after a final status
// an `end` event, and the stream closes. A client that goes away stops the polling at once. Each client
// address holds at most `maxEventStreamsPerClient` streams at once (each costs a poll loop): more is 429.
import type { FastifyReply } from "fastify";
import { z } from "zod";
import type { ApiContext, App } from "../context.ts";
import { transferIdSchema } from "../inputs.ts";
import { ApiError } from "../errors.ts";
import { errors } from "../schemas.ts";
import { FINAL_STATUSES, toView } from "../transfers.ts";

const KEEPALIVE_MS = 15_000;

export function transferEventRoutes(app: App, ctx: ApiContext): void {
  const open = new Set<() => void>();
  const perClient = new Map<string, number>();
  app.addHook("onClose", (_instance, done) => {
    for (const close of [...open]) close();
    done();
  });

  app.get(
    "/v1/transfers/:id/events",
    {
      exposeHeadRoute: false, // a HEAD request must not open a stream
      schema: {
        summary: "Server-sent events as the transfer's status changes",
        description:
          "`event: transfer` with the transfer first; then `event: status` with `{id, status, entry}` per change; " +
          "`event: end` after completed, dropped or rejected, and the stream closes.",
        tags: ["transfers"],
        params: z.object({ id: transferIdSchema }),
        response: { 200: z.string().meta({ description: "text/event-stream" }), ...errors(400, 404, 429) },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const client = request.ip;
      const held = perClient.get(client) ?? 0;
      const cap = ctx.config.maxEventStreamsPerClient;
      if (held >= cap)
        throw new ApiError("TOO_MANY_STREAMS", `${held} event streams already open from this client (at most ${cap}); close one first`);
      perClient.set(client, held + 1); // taken before the first await, so concurrent requests count
      const release = () => {
        const left = (perClient.get(client) ?? 1) - 1;
        if (left > 0) perClient.set(client, left);
        else perClient.delete(client);
      };
      let first;
      try {
        first = await ctx.transfers.byId(id); // 404 before the stream starts
      } catch (error) {
        release();
        throw error;
      }
      stream(
        reply,
        (send, end) => {
          let seen = first.timeline.length;
          send("transfer", first);
          if (FINAL_STATUSES.has(first.status)) return end();
          let busy = false;
          const poll = setInterval(() => {
            if (busy) return;
            busy = true;
            ctx.transfers.records
              .get(id)
              .then((record) => {
                if (!record) return;
                const view = toView(record, ctx.chains);
                for (const entry of view.timeline.slice(seen)) send("status", { id, status: entry.status, entry });
                seen = view.timeline.length;
                if (FINAL_STATUSES.has(view.status)) end();
              })
              .catch((error: unknown) => request.log.warn({ err: error }, "transfer events: store read failed"))
              .finally(() => (busy = false));
          }, ctx.config.eventsPollMs);
          return () => clearInterval(poll);
        },
        open,
        ctx.metrics.eventStreams,
        release,
      );
    },
  );
}

/**
 * Takes the response over as an event stream. `start` sends events and returns what stops its work;
 * that runs once, whether the stream ends (end()), the client goes away, or the server closes.
 */
function stream(
  reply: FastifyReply,
  start: (send: (event: string, data: unknown) => void, end: () => void) => (() => void) | void,
  open: Set<() => void>,
  gauge: { inc(): void; dec(): void },
  onClose: () => void,
): void {
  reply.hijack();
  const raw = reply.raw;
  // The headers set so far (CORS from @fastify/cors's onRequest hook) go out too: a hijacked reply
  // would drop them, and a page on another origin could not read the stream.
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string | string[] | number>),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  const work: { stop?: (() => void) | void } = {};
  let closed = false;
  const keepalive = setInterval(() => raw.write(": keep-alive\n\n"), KEEPALIVE_MS);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    work.stop?.();
    open.delete(close);
    gauge.dec();
    onClose();
    if (!raw.writableEnded) raw.end();
  };
  open.add(close);
  gauge.inc();
  raw.on("close", close);
  const send = (event: string, data: unknown) => {
    if (!closed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const end = () => {
    send("end", {});
    close();
  };
  work.stop = start(send, end);
  if (closed) work.stop?.();
}
