import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../common/errors/problem.js';
import { IGNORED_EXTENSION } from './idempotency.decorators.js';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-request.js';

const HEADER = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  schema: { type: 'string', minLength: 1, maxLength: 255 },
  description:
    'Makes the POST safe to retry: the same key with the same request within 24 h replays the first ' +
    'answer (header `Idempotent-Replayed: true`) instead of running again; 409 idempotency_key_in_use ' +
    'while the first still runs; 422 idempotency_key_reused for another request. Scoped to your organization.',
} as const;

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
});

/** Documents the Idempotency-Key header and its errors on every POST not marked @NotIdempotent. */
export function documentIdempotencyKey(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    const post = item.post;
    if (!post || IGNORED_EXTENSION in post) continue;
    post.parameters = [...(post.parameters ?? []), HEADER];
    post.responses['409'] ??= problem(
      'The request with this Idempotency-Key is still running (idempotency_key_in_use); see Retry-After',
    );
    post.responses['422'] ??= problem(
      'This Idempotency-Key was sent with another request (idempotency_key_reused)',
    );
  }
}
