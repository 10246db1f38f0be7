// Cross-origin access for front ends in browsers: the configured origins (or "*") may call the API;
// preflight requests are answered here, before routing and rate limiting. (A small hook rather than
// @fastify/cors, which is not among the project's dependencies; this API needs only simple GET/POST.)
import type { App } from "./context.ts";

export function allowOrigins(app: App, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const any = origins.includes("*");
  app.addHook("onRequest", (request, reply, done) => {
    const origin = request.headers.origin;
    if (!origin || (!any && !origins.includes(origin))) return done();
    reply.header("access-control-allow-origin", any ? "*" : origin);
    if (!any) reply.header("vary", "Origin");
    if (request.method === "OPTIONS" && request.headers["access-control-request-method"]) {
      reply
        .header("access-control-allow-methods", "GET, POST")
        .header("access-control-allow-headers", "content-type")
        .header("access-control-max-age", "600")
        .code(204)
        .send();
      return;
    }
    done();
  });
}
