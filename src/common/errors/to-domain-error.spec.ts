import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { errorCodes } from 'fastify';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DomainError } from './domain-error.js';
import type { ErrorCode } from './error-codes.js';
import { toDomainError } from './to-domain-error.js';

/** How @nestjs/platform-fastify hands a FastifyError below 500 to the exception filters. */
const wrappedAsNestDoes = (error: Error & { statusCode?: number }) =>
  new HttpException(error.message, error.statusCode ?? 500, { cause: error });

const errnoError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('toDomainError', () => {
  it('passes a DomainError through unchanged', () => {
    const error = new DomainError('customer_not_found', 'No customer 42');
    expect(toDomainError(error)).toBe(error);
  });

  describe('Fastify body-parsing errors', () => {
    const cases: [keyof typeof errorCodes, ErrorCode][] = [
      ['FST_ERR_CTP_BODY_TOO_LARGE', 'payload_too_large'],
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 'unsupported_media_type'],
      ['FST_ERR_CTP_INVALID_JSON_BODY', 'malformed_json'],
      ['FST_ERR_CTP_EMPTY_JSON_BODY', 'malformed_json'],
      ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'malformed_json'],
    ];

    it.each(cases)('maps %s to %s', (fastifyCode, code) => {
      const sut = toDomainError(new errorCodes[fastifyCode]());
      expect(sut).toMatchObject({ code });
    });

    it.each(cases)('maps %s wrapped as an HttpException cause to %s', (fastifyCode, code) => {
      const sut = toDomainError(wrappedAsNestDoes(new errorCodes[fastifyCode]()));
      expect(sut).toMatchObject({ code });
    });

    it('keeps Fastify’s message as the detail', () => {
      const fastifyError = new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
      expect(toDomainError(wrappedAsNestDoes(fastifyError)).detail).toBe(fastifyError.message);
    });

    it('maps a JSON SyntaxError with statusCode 400 to malformed_json', () => {
      const error = Object.assign(new SyntaxError('Unexpected end of JSON input'), { statusCode: 400 });
      expect(toDomainError(error)).toMatchObject({ code: 'malformed_json' });
    });
  });

  describe('HttpExceptions', () => {
    it.each<[string, HttpException, ErrorCode]>([
      ['400', new BadRequestException('bad'), 'validation_failed'],
      ['401', new UnauthorizedException(), 'unauthorized'],
      ['403', new ForbiddenException(), 'insufficient_role'],
      ['404', new NotFoundException('Cannot GET /nowhere'), 'not_found'],
      ['413', new HttpException('too big', 413), 'payload_too_large'],
      ['415', new HttpException('not json', 415), 'unsupported_media_type'],
      ['429', new HttpException('slow down', 429), 'rate_limited'],
    ])('maps %s to %s', (_status, exception, code) => {
      expect(toDomainError(exception)).toMatchObject({ code, detail: exception.message });
    });

    it('maps a 503 to dependency_unavailable with Retry-After, naming what Terminus found down', () => {
      const exception = new ServiceUnavailableException({
        status: 'error',
        error: { redis: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:6390' } },
      });

      const sut = toDomainError(exception);

      expect(sut).toMatchObject({ code: 'dependency_unavailable', retryAfter: 5 });
      expect(sut.detail).toBe('redis: connect ECONNREFUSED 127.0.0.1:6390');
    });

    it('gives no Retry-After to codes that are not about waiting', () => {
      expect(toDomainError(new NotFoundException()).retryAfter).toBeUndefined();
    });
  });

  describe('unreachable dependencies', () => {
    it.each([
      ['ECONNREFUSED', errnoError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
      ['ECONNRESET', errnoError('ECONNRESET', 'read ECONNRESET')],
      ['ETIMEDOUT', errnoError('ETIMEDOUT', 'connect ETIMEDOUT')],
      [
        'Postgres shutting down (57P01)',
        errnoError('57P01', 'terminating connection due to administrator command'),
      ],
      ['Postgres starting up (57P03)', errnoError('57P03', 'the database system is starting up')],
      ['a closed pg connection', new Error('Connection terminated unexpectedly')],
      ['a closed Redis stream', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
      ['an exhausted pg pool', new Error('timeout exceeded when trying to connect')],
      [
        'a pg client after its connection failed',
        new Error('Client has encountered a connection error and is not queryable'),
      ],
      ['a transaction whose connection Postgres dropped', new QueryRunnerAlreadyReleasedError()],
      [
        'a transaction manager whose connection Postgres dropped',
        new QueryRunnerProviderAlreadyReleasedError(),
      ],
    ])('maps %s to dependency_unavailable with retryAfter', (_case, error) => {
      expect(toDomainError(error)).toMatchObject({ code: 'dependency_unavailable', retryAfter: 5 });
    });

    it('does not leak the driver’s message', () => {
      const sut = toDomainError(errnoError('ECONNREFUSED', 'connect ECONNREFUSED 10.1.2.3:5432'));
      expect(sut.detail).not.toContain('10.1.2.3');
    });
  });

  describe('anything else', () => {
    it.each([
      ['an Error', new Error('secret table users_password_hash exploded')],
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
      ['a thrown string', 'boom'],
      ['null', null],
      ['an object without a known code', { code: 'EWHATEVER', message: 'odd' }],
    ])('maps %s to internal_error without its message', (_case, thrown) => {
      const sut = toDomainError(thrown);

      expect(sut).toMatchObject({ code: 'internal_error', detail: 'Something went wrong on our side' });
      expect(sut.retryAfter).toBeUndefined();
    });
  });
});
