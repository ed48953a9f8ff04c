import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (validation_failed, malformed_json, …)',
  401: 'Missing, expired or revoked access token',
  403: 'Role too low',
  404: 'Not found (also for other organizations’ objects)',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  422: 'Breaks a business rule',
  429: 'Rate limited; see Retry-After',
  503: 'A dependency is unreachable; see Retry-After',
};

/** Documents the problem documents a route can answer with (schema ProblemDto, registered in openapi.ts). */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status],
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
    ),
  );
