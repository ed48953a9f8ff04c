import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const NOT_IDEMPOTENT = 'idempotency:not-idempotent';
/** Marks the operation in OpenAPI; idempotency.openapi.ts documents the header on every other POST. */
export const IGNORED_EXTENSION = 'x-idempotency-key-ignored';

/**
 * The route ignores Idempotency-Key: its answer carries a secret (tokens), which a stored answer would
 * keep in plaintext for 24 hours, or its caller has a key of its own (the Stripe webhook: the event id).
 */
export const NotIdempotent = () =>
  applyDecorators(SetMetadata(NOT_IDEMPOTENT, true), ApiExtension(IGNORED_EXTENSION, true));
