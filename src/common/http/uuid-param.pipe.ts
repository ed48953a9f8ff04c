import { Injectable, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DomainError } from '../errors/domain-error.js';

/** Path ids must be UUIDs; anything else is a validation_failed problem, not a database error. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUUID(value)) {
      throw new DomainError('validation_failed', 'id must be a UUID', [
        { field: 'id', message: 'id must be a UUID' },
      ]);
    }
    return value;
  }
}
