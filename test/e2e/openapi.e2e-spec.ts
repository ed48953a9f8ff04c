import SwaggerParser from '@apidevtools/swagger-parser';
import { startTestApp, type TestApp } from '../support/test-app.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
const PUBLIC_V1_ROUTES = [
  'POST /v1/auth/signup',
  'POST /v1/auth/login',
  'POST /v1/auth/refresh',
  // Called by Stripe, authenticated by the Stripe-Signature header.
  'POST /v1/integrations/stripe/webhook',
];

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof HTTP_METHODS)[number], Operation>>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
    securitySchemes?: Record<string, { type: string; scheme?: string }>;
  };
}

/** Every operation in the document as `METHOD /path`. */
function operationsOf(document: OpenApiDocument): { route: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) =>
      item[method] ? [{ route: `${method.toUpperCase()} ${path}`, operation: item[method] }] : [],
    ),
  );
}

describe('OpenAPI document', () => {
  let sut: TestApp;
  let document: OpenApiDocument;
  let v1: { route: string; operation: Operation }[];

  beforeAll(async () => {
    sut = await startTestApp();
    const response = await sut.http.get('/docs-json').expect(200).expect('content-type', /json/);
    document = response.body;
    v1 = operationsOf(document).filter(({ route }) => route.includes(' /v1/'));
  });
  afterAll(() => sut.close());

  describe('GET /docs-json', () => {
    it('is an OpenAPI 3 document that lists the v1 routes', () => {
      expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
      expect(v1.map(({ route }) => route)).toEqual(
        expect.arrayContaining(['POST /v1/customers', 'GET /v1/customers/{id}', 'POST /v1/auth/signup']),
      );
    });

    it('passes @apidevtools/swagger-parser validation', async () => {
      // The validator dereferences in place; give it a copy.
      await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    });
  });

  describe('operationIds', () => {
    it('are camelCase method names, not Controller_method', () => {
      const bad = operationsOf(document)
        .filter(({ operation }) => !/^[a-z][a-zA-Z0-9]*$/.test(operation.operationId ?? ''))
        .map(({ route, operation }) => `${route}: ${operation.operationId}`);
      expect(bad).toEqual([]);
    });

    it('are unique', () => {
      const ids = operationsOf(document).map(({ operation }) => operation.operationId);
      const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
      expect(duplicates).toEqual([]);
    });
  });

  describe('security', () => {
    const bearerSchemeNames = () =>
      Object.entries(document.components.securitySchemes ?? {})
        .filter(([, scheme]) => scheme.type === 'http' && scheme.scheme === 'bearer')
        .map(([name]) => name);
    const requiresBearer = (operation: Operation) =>
      (operation.security ?? []).some((requirement) =>
        bearerSchemeNames().some((name) => name in requirement),
      );

    it('declares the bearer scheme', () => {
      expect(bearerSchemeNames()).toHaveLength(1);
    });

    it('requires the bearer token on every v1 route except signup, login, refresh and the Stripe webhook', () => {
      const open = v1.filter(({ operation }) => !requiresBearer(operation)).map(({ route }) => route);
      expect(open.sort()).toEqual([...PUBLIC_V1_ROUTES].sort());
    });
  });

  describe('errors', () => {
    it('documents at least one 4xx answer on every v1 operation', () => {
      const undocumented = v1
        .filter(({ operation }) => !Object.keys(operation.responses).some((status) => /^4\d\d$/.test(status)))
        .map(({ route }) => route);
      expect(undocumented).toEqual([]);
    });

    it('describes each documented 4xx answer of a v1 operation as a ProblemDto', () => {
      const notProblems = v1.flatMap(({ route, operation }) =>
        Object.entries(operation.responses)
          .filter(([status]) => /^4\d\d$/.test(status))
          .filter(
            ([, response]) =>
              response.content?.['application/problem+json']?.schema?.$ref !==
              '#/components/schemas/ProblemDto',
          )
          .map(([status]) => `${route} ${status}`),
      );
      expect(notProblems).toEqual([]);
    });

    it('declares the ProblemDto schema with the RFC 9457 members and code', () => {
      const problem = document.components.schemas.ProblemDto;
      expect(Object.keys(problem?.properties ?? {})).toEqual(
        expect.arrayContaining(['type', 'title', 'status', 'detail', 'code', 'errors']),
      );
      expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
    });
  });

  describe('GET /docs', () => {
    it('serves the Swagger UI page', async () => {
      const response = await sut.http.get('/docs').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toMatch(/swagger-ui/i);
    });
  });
});
