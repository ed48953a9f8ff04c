import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { answerClientError } from './common/http/client-error-handler.js';
import { createValidationPipe } from './common/http/validation.js';
import { genRequestId, traceRequests } from './common/tracing/http-tracing.js';
import { RequestAwareLogger } from './common/tracing/request-logger.js';
import type { AppConfig } from './config/app-config.js';
import { serveOpenApi } from './openapi.js';
import { WorkerModule } from './worker.module.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the application for config.role exactly as production runs it; the e2e tests call this too. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    // The caller's X-Request-Id is taken only when it is a sensible token (genRequestId checks it).
    requestIdHeader: false,
    genReqId: genRequestId,
    clientErrorHandler: answerClientError,
  });
  const root = config.role === 'worker' ? WorkerModule.forRoot(config) : AppModule.forRoot(config);
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: new RequestAwareLogger(logLevelsFrom(config.logLevel)),
    // Same JSON parser, plus request.rawBody: Stripe signs the exact bytes it sends (see integrations/stripe).
    rawBody: true,
  });

  traceRequests(adapter.getInstance());

  // JSON only: a text/plain body is a 415, not an empty object that fails validation field by field.
  adapter.getInstance().removeContentTypeParser('text/plain');

  // A JSON API serves no HTML of its own; CSP stays off so the Swagger UI page can run its inline script.
  await app.register(helmet, { contentSecurityPolicy: false });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  if (config.role !== 'worker') serveOpenApi(app);
  return app;
}

const LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

function logLevelsFrom(level: AppConfig['logLevel']) {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
}
