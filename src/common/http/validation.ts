import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, type FieldError } from '../errors/domain-error.js';
import { bodyShapeProblem } from './body-shape.js';

/** Flattens class-validator's tree into `{ field: 'address.city', message }` pairs. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * A body of `null`, `[]` or `"text"` is refused as a whole, not field by field. No body at all is an empty
 * object, so a route whose fields are all optional (a full refund) can be called without one.
 */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && value === undefined) value = {};
    if (metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      const message = 'The body must be a JSON object';
      throw new DomainError('validation_failed', message, [{ field: '', message }]);
    }
    const shapeProblem = metadata.type === 'body' ? bodyShapeProblem(value) : null;
    if (shapeProblem) throw new DomainError('validation_failed', shapeProblem.message, [shapeProblem]);
    return super.transform(value, metadata);
  }
}

/** Rejects unknown fields and wrong types; the answer is a validation_failed problem listing each field. */
export function createValidationPipe(): ValidationPipe {
  return new BodyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fieldErrors = flattenValidationErrors(errors);
      return new DomainError('validation_failed', fieldErrors.map((e) => e.message).join('; '), fieldErrors);
    },
  });
}
