// What the routes share: the configuration and the services built from it once, in buildApi.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Redis } from "ioredis";
import type { AccountingReader } from "./accounting.ts";
import type { TransactionBuilder } from "./builders.ts";
import type { ChainRegistry } from "./chains/registry.ts";
import type { ApiConfig } from "./config.ts";
import type { ApiMetrics } from "./metrics.ts";
import type { Quoter } from "./quote.ts";
import type { TransferReader } from "./transfers.ts";
import type { Deliveries } from "./deliveries/deliveries.ts";

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface ApiContext {
  config: ApiConfig;
  redis: Redis;
  chains: ChainRegistry;
  quoter: Quoter;
  builder: TransactionBuilder;
  transfers: TransferReader;
  /** The API's own watch of deliveries on every EVM destination. */
  deliveries: Deliveries;
  accounting: AccountingReader;
  metrics: ApiMetrics;
}
