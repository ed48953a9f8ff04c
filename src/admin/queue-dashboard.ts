import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '../common/errors/error-codes.js';
import { PROBLEM_CONTENT_TYPE } from '../common/errors/problem.js';
import { AppConfig } from '../config/app-config.js';
import { registeredQueues } from '../queue/registered-queues.js';
import { basicAuthMatches, type BasicCredentials } from './basic-auth.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board at /admin/queues behind HTTP basic auth. It shows every BullMQ queue registered in this
 * process (found through Nest's container, so a feature module's new queue appears without an edit here).
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  private readonly logger = new Logger(QueueDashboard.name);

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async onModuleInit(): Promise<void> {
    const credentials = this.config.admin;
    if (!credentials) return;
    const queues = registeredQueues(this.discovery);
    for (const queue of queues) {
      // A queue only the dashboard uses (api role) still needs an error listener, or a Redis outage crashes the process.
      if (queue.listenerCount('error') === 0) {
        queue.on('error', (error) => this.logger.warn(`Queue ${queue.name}: ${error.message}`));
      }
    }
    // Loaded only where the dashboard is served: elsewhere Bull Board would sit in memory unused.
    const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter: BullBoardFastifyAdapter }] =
      await Promise.all([
        import('@bull-board/api'),
        import('@bull-board/api/bullMQAdapter'),
        import('@bull-board/fastify'),
      ]);
    const serverAdapter = new BullBoardFastifyAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: queues.map((queue) => new BullMQAdapter(queue)),
      serverAdapter,
    });
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // An encapsulated scope: the basic-auth hook guards the dashboard's routes and nothing else.
    await fastify.register(async (scope) => {
      scope.addHook('onRequest', (request, reply) => guard(request, reply, credentials));
      await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
    });
  }
}

async function guard(request: FastifyRequest, reply: FastifyReply, credentials: BasicCredentials) {
  if (basicAuthMatches(request.headers.authorization, credentials)) return;
  const { status, title } = ERROR_CODES.unauthorized;
  await reply
    .code(status)
    .header('WWW-Authenticate', 'Basic realm="queues", charset="UTF-8"')
    .type(PROBLEM_CONTENT_TYPE)
    .send({
      type: '/problems/unauthorized',
      title,
      status,
      detail: 'The queue dashboard needs the admin user and password',
      code: 'unauthorized',
    });
  return reply;
}
