import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER, requestIdFrom, withRequestId } from './request-context.js';

// Probes and scrapes arrive every few seconds: logged only at verbose.
const QUIET_ROUTES = /^\/(health|metrics)(\/|$)/;

/** Fastify's id for a request: the caller's X-Request-Id when sensible, else a new one. */
export const genRequestId = (request: { headers: Record<string, string | string[] | undefined> }) =>
  requestIdFrom(request.headers[REQUEST_ID_HEADER]);

/**
 * Every request runs with its id in the request context (so logs, events and queued work carry it),
 * answers it in X-Request-Id, and leaves one JSON access-log line when it ends.
 */
export function traceRequests(fastify: FastifyInstance): void {
  const logger = new Logger('HTTP');
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    withRequestId(request.id, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const entry = {
      method: request.method,
      route: routeOf(request),
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    withRequestId(request.id, () =>
      QUIET_ROUTES.test(request.url) ? logger.verbose(entry) : logger.log(entry),
    );
    done();
  });
}

/** The route template (/v1/invoices/:id), not the URL with its ids and query. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}
