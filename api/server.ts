// The HTTP API (docs/api.md) as a Fastify instance: routes with zod request and response schemas, from
// which the OpenAPI document at /docs (/docs/json) is generated; per-client rate limiting; one error
// shape for everything. buildApi does not listen (main.ts does), so tests drive it with inject().
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { TransferRecordReader } from "../common/records/reader.ts";
import { AccountingReader } from "./accounting.ts";
import { TransactionBuilder } from "./builders.ts";
import { RecipientGuard } from "./recipients.ts";
import { ChainRegistry } from "./chains/registry.ts";
import type { ApiConfig } from "./config.ts";
import type { ApiContext, App } from "./context.ts";
import { ApiError, handleError } from "./errors.ts";
import { ApiMetrics } from "./metrics.ts";
import { Quoter } from "./quote.ts";
import { TransferReader } from "./transfers.ts";
import { Deliveries } from "./deliveries/deliveries.ts";
import { StatusFactsReader } from "./status/facts.ts";
import { claimRoutes } from "./routes/claims.ts";
import { deliveryRoutes } from "./routes/delivery.ts";
import { broadcastRoutes } from "./routes/broadcast.ts";
import { chainRoutes } from "./routes/chains.ts";
import { healthRoutes } from "./routes/health.ts";
import { quoteRoutes } from "./routes/quote.ts";
import { statsRoutes } from "./routes/stats.ts";
import { transferEventRoutes } from "./routes/transfer-events.ts";
import { transferRoutes } from "./routes/transfers.ts";
import { transactionRoutes } from "./routes/transactions.ts";

export interface ApiDeps {
  /** A connection to the followed relayer node's Redis (the caller owns it: buildApi does not close it). */
  redis: Redis;
  logger?: Logger;
  /** Node process metrics (CPU, memory, event loop) in /metrics; off in tests. */
  processMetrics?: boolean;
}

export const API_VERSION = "1.0.0";

export async function buildApi(config: ApiConfig, deps: ApiDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger | undefined,
    bodyLimit: 256 * 1024,
    // Deep JSON is parsed (V8's parser does not recurse) and then refused by the schemas; prototype
    // poisoning keys are refused outright.
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
    trustProxy: config.trustProxy,
    // Errors raised before routing (a URL that is not valid percent-encoding) get the one error shape too.
    frameworkErrors: (error, request, reply) => {
      void handleError(error, request, reply);
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.removeContentTypeParser("text/plain"); // JSON only: anything else is 415, not a string body
  app.setNotFoundHandler((request) => {
    throw new ApiError("NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]!.slice(0, 200)}`);
  });

  const chains = new ChainRegistry(config);
  const quoter = new Quoter(chains, config);
  const records = new TransferRecordReader(deps.redis, config.keyPrefix);
  const deliveries = new Deliveries(chains, config);
  const ctx: ApiContext = {
    config,
    redis: deps.redis,
    chains,
    quoter,
    builder: new TransactionBuilder(chains, quoter, new RecipientGuard(chains, (message) => app.log.warn(message))),
    transfers: new TransferReader(records, chains, new StatusFactsReader(chains, records, deliveries)),
    deliveries,
    accounting: new AccountingReader(chains),
    metrics: new ApiMetrics({ processMetrics: deps.processMetrics ?? false }),
  };
  app.addHook("onClose", () => {
    deliveries.stop();
    chains.close();
  });
  app.addHook("onReady", async () => {
    await chains.checkAgainstChains((message) => app.log.warn(message));
    await deliveries.start(app.log);
  });
  // Cross-origin access for front ends in browsers: only the configured origins (none by default).
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes("*") ? "*" : [...config.corsOrigins],
      methods: ["GET", "POST"],
      allowedHeaders: ["content-type"],
      maxAge: 600,
    });
  }

  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unknown";
    ctx.metrics.requests.inc({ route, status: String(reply.statusCode) });
    ctx.metrics.latency.observe({ route }, reply.elapsedTime / 1000);
    done();
  });

  await app.register(rateLimit, {
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.timeWindow,
    // Per client address; the error goes through the error handler like every other.
    errorResponseBuilder: (_request, context) =>
      new ApiError("RATE_LIMITED", `more than ${context.max} requests in ${context.after}; try again in ${context.after}`),
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "BTT Bridge API",
        version: API_VERSION,
        description:
          "Quotes, swaps and bridge transfers of BitTorrent Token; status, history and accounting. Amounts are decimal strings of base units.",
      },
      tags: [
        { name: "bridge", description: "Bridge transfers between BTTC, Ethereum and BNB Chain" },
        { name: "swap", description: "Legacy BTTOLD to BTT (1:1000)" },
        { name: "transfers", description: "Status and history" },
        { name: "operations", description: "Health and metrics" },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  chainRoutes(app, ctx);
  quoteRoutes(app, ctx);
  transactionRoutes(app, ctx);
  broadcastRoutes(app, ctx);
  transferRoutes(app, ctx);
  transferEventRoutes(app, ctx);
  deliveryRoutes(app, ctx);
  claimRoutes(app, ctx);
  statsRoutes(app, ctx);
  healthRoutes(app, ctx);
  return app;
}
