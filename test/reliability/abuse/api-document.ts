import type TestAgent from 'supertest/lib/agent.js';

/** A JSON Schema as @nestjs/swagger writes it, after `resolveSchema` (no $ref, allOf merged). */
export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  allOf?: Schema[];
  $ref?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

/** One operation of the document, its schemas resolved. */
export interface ApiOperation {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  /** `POST /v1/customers/{id}/archive`, for messages. */
  route: string;
  parameters: Parameter[];
  /** The application/json request body, if the operation takes one. */
  body?: Schema;
  /** The first 2xx answer's JSON body, if documented. */
  response?: Schema;
  /** Whether the bearer token is required. */
  secured: boolean;
}

interface RawOperation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: Record<string, string[]>[];
}

const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;

/** Follows every $ref and folds `allOf` into one schema, so callers walk plain trees. */
export function resolveSchema(schema: Schema, components: Record<string, Schema>): Schema {
  if (schema.$ref) {
    const target = components[schema.$ref.replace('#/components/schemas/', '')];
    if (!target) throw new Error(`The document refers to ${schema.$ref}, which it does not define`);
    return resolveSchema(target, components);
  }
  const { allOf, ...own } = schema;
  // `{ nullable: true, allOf: [{ $ref }] }` is how swagger writes a nullable object: the outer keys win.
  const merged: Schema = Object.assign(
    {},
    ...(allOf ?? []).map((part) => resolveSchema(part, components)),
    own,
  );
  const resolveEach = (properties: Record<string, Schema>) =>
    Object.fromEntries(
      Object.entries(properties).map(([name, item]) => [name, resolveSchema(item, components)]),
    );
  return {
    ...merged,
    ...(merged.properties && { properties: resolveEach(merged.properties) }),
    ...(merged.items && { items: resolveSchema(merged.items, components) }),
    ...(typeof merged.additionalProperties === 'object' && {
      additionalProperties: resolveSchema(merged.additionalProperties, components),
    }),
  };
}

const jsonSchemaOf = (content?: Record<string, { schema?: Schema }>) => content?.['application/json']?.schema;

/** Every /v1 operation the running app documents at /docs-json. */
export async function fetchV1Operations(http: TestAgent): Promise<ApiOperation[]> {
  const document = (await http.get('/docs-json').expect(200)).body as {
    paths: Record<string, Partial<Record<(typeof METHODS)[number], RawOperation>>>;
    components: { schemas: Record<string, Schema> };
  };
  const resolve = (schema?: Schema) => schema && resolveSchema(schema, document.components.schemas);
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, item]) =>
      METHODS.flatMap((method) => {
        const raw = item[method];
        if (!raw) return [];
        const success = Object.entries(raw.responses ?? {}).find(([status]) => /^2\d\d$/.test(status));
        return [
          {
            method,
            path,
            route: `${method.toUpperCase()} ${path}`,
            parameters: raw.parameters ?? [],
            body: resolve(jsonSchemaOf(raw.requestBody?.content)),
            response: resolve(jsonSchemaOf(success?.[1].content)),
            secured: (raw.security ?? []).length > 0,
          },
        ];
      }),
    );
}

export const pathParameters = (operation: ApiOperation) =>
  operation.parameters.filter((parameter) => parameter.in === 'path');

/** The path with each `{name}` replaced by `values[name]`. */
export function fillPath(operation: ApiOperation, values: Record<string, string>): string {
  return operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for {${name}} in ${operation.route}`);
    return encodeURIComponent(value);
  });
}

/** Sends the operation with supertest: method, path, optional bearer token and JSON body. */
export function send(
  http: TestAgent,
  operation: ApiOperation,
  path: string,
  { bearer, body, headers = {} }: { bearer?: string; body?: unknown; headers?: Record<string, string> },
) {
  const request = http[operation.method](path).set(headers);
  if (bearer) request.set('Authorization', bearer);
  return body === undefined ? request : request.send(body as object);
}
