import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DomainError, type FieldError } from './domain-error.js';
import { ERROR_CODES } from './error-codes.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

class FieldErrorDto implements FieldError {
  @ApiProperty({ example: 'email' }) field!: string;
  @ApiProperty({ example: 'email must be an email' }) message!: string;
}

/** RFC 9457 problem document. */
export class ProblemDto {
  @ApiProperty({ example: '/problems/validation_failed' }) type!: string;
  @ApiProperty({ example: 'The request is not valid' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'email must be an email' }) detail!: string;
  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable code' }) code!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldError[];
}

export function toProblem(error: DomainError): ProblemDto {
  const { status, title } = ERROR_CODES[error.code];
  return {
    type: `/problems/${error.code}`,
    title,
    status,
    detail: error.detail,
    code: error.code,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}
