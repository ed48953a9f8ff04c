import { HttpException } from '@nestjs/common';
import { DomainError } from './domain-error.js';
import type { ErrorCode } from './error-codes.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed_json',
};

const HTTP_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'insufficient_role',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'dependency_unavailable',
};

/** Terminus answers 503 with `{ error: { database: { status, message } } }`; name what is down. */
function describeDown(response: unknown): string | undefined {
  const down = propertyOf(response, 'error');
  if (typeof down !== 'object' || down === null) return undefined;
  return Object.entries(down)
    .map(([name, state]) => `${name}: ${String(propertyOf(state, 'message') ?? 'down')}`)
    .join('; ');
}

// Node and driver errors meaning Postgres or Redis cannot be reached right now.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P03',
  '53300',
]);
// Postgres refusing text it cannot store (U+0000 in a string or in JSON): bad input, not a server fault.
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);

// A pg client whose connection failed refuses further queries; TypeORM releases a transaction's query runner
// when its connection errors (Postgres dropped it mid-transaction), and the transaction's next query says so.
const UNAVAILABLE_MESSAGES =
  /Connection terminated|Connection is closed|MaxRetriesPerRequest|connect ECONNREFUSED|Stream isn't writeable|timeout exceeded when trying to connect|Client has encountered a connection error|Query runner already released|connection provided by a query runner was already released/;

function propertyOf(error: unknown, key: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

/** Maps anything thrown while serving a request to the domain error the client is shown. */
export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;

  // Nest wraps Fastify's own errors (body parsing, size) in an HttpException whose cause keeps the code.
  const fastifyError = error instanceof HttpException && error.cause ? error.cause : error;
  const fastifyCode = propertyOf(fastifyError, 'code');
  if (typeof fastifyCode === 'string' && FASTIFY_CODES[fastifyCode]) {
    return new DomainError(FASTIFY_CODES[fastifyCode], (fastifyError as Error).message);
  }
  // JSON.parse failures surface from the body parser as a SyntaxError with statusCode 400.
  if (error instanceof SyntaxError && propertyOf(error, 'statusCode') === 400) {
    return new DomainError('malformed_json', error.message);
  }
  if (error instanceof HttpException) {
    const code =
      HTTP_STATUS_CODES[error.getStatus()] ?? (error.getStatus() < 500 ? 'bad_request' : 'internal_error');
    const retryAfter = code === 'dependency_unavailable' ? 5 : undefined;
    return new DomainError(code, describeDown(error.getResponse()) ?? error.message, undefined, retryAfter);
  }
  const status = propertyOf(error, 'statusCode');
  if (typeof status === 'number' && HTTP_STATUS_CODES[status]) {
    return new DomainError(HTTP_STATUS_CODES[status], (error as Error).message);
  }
  if (typeof fastifyCode === 'string' && UNSTORABLE_TEXT_CODES.has(fastifyCode)) {
    return new DomainError('validation_failed', 'Text must not contain the NUL character (U+0000)');
  }
  const message = error instanceof Error ? error.message : '';
  if (
    (typeof fastifyCode === 'string' && UNAVAILABLE_CODES.has(fastifyCode)) ||
    UNAVAILABLE_MESSAGES.test(message)
  ) {
    return new DomainError(
      'dependency_unavailable',
      'A database or cache is unreachable; try again shortly',
      undefined,
      5,
    );
  }
  return new DomainError('internal_error', 'Something went wrong on our side');
}
