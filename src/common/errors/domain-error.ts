import type { ErrorCode } from './error-codes.js';

export interface FieldError {
  field: string;
  message: string;
}

/** What services throw: a stable code and a human detail; the problem filter turns it into HTTP. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    /** Seconds the client should wait (429, 503). */
    readonly retryAfter?: number,
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}
