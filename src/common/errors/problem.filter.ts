import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ERROR_CODES } from './error-codes.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import { toDomainError } from './to-domain-error.js';

/** Answers every error, thrown anywhere, with an RFC 9457 problem document. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = toDomainError(exception);
    const status = ERROR_CODES[error.code].status;
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (error.retryAfter !== undefined) reply.header('Retry-After', String(error.retryAfter));
    reply.status(status).type(PROBLEM_CONTENT_TYPE).send(toProblem(error));
  }
}
