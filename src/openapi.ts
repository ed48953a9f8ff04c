import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, ProblemDto } from './common/errors/problem.js';
import { AppConfig } from './config/app-config.js';
import { documentIdempotencyKey } from './idempotency/idempotency.openapi.js';

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
});

// Answers any route can give, whatever its controller says: documented once here rather than on each route.
const BODY_PROBLEMS = {
  '400': problem('Invalid request (validation_failed, malformed_json)'),
  '413': problem('Body over 1 MiB (payload_too_large)'),
  '415': problem('Body is not JSON (unsupported_media_type)'),
};
const DEPENDENCY_PROBLEM = {
  '503': problem('Postgres or Redis unreachable (dependency_unavailable); see Retry-After'),
};

/** The OpenAPI 3 document; operationIds are the controller method names (createCustomer, listCustomers). */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Invoicing API')
    .setDescription(
      'Multi-tenant invoicing: customers, invoices, payments, PDFs and webhooks. Errors are RFC 9457 ' +
        'problem documents (application/problem+json) with a stable `code`.',
    )
    .setVersion('1')
    .addServer(app.get(AppConfig).publicBaseUrl)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDto],
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const operation of Object.values(operations)) {
      if (typeof operation !== 'object' || !('responses' in operation)) continue;
      // Public routes say so (an empty security list) rather than leave it unsaid.
      operation.security ??= [];
      operation.summary ??= sentenceOf(operation.operationId);
      if (!path.startsWith('/v1/')) continue;
      const common = { ...('requestBody' in operation ? BODY_PROBLEMS : {}), ...DEPENDENCY_PROBLEM };
      operation.responses = { ...common, ...operation.responses };
    }
  }
  documentIdempotencyKey(document);
  return document;
}

/** 'listCustomerInvoices' → 'List customer invoices': a summary for routes that state none. */
function sentenceOf(operationId: string): string {
  const words = operationId.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
