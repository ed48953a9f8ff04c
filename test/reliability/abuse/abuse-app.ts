import type { Response } from 'supertest';
import { createPrivateDatabase, type PrivateDatabase, startAppOn } from '../../support/private-database.js';
import { randomIp, type TestApp } from '../../support/test-app.js';
import { type ApiOperation, fetchV1Operations, fillPath, send } from './api-document.js';
import { watchWrites } from './database-fingerprint.js';
import { type OrganizationObjects, ownPathValues } from './organization-fixture.js';

/** The app the abuse specs attack, with the operations its document lists. */
export interface AbuseApp {
  sut: TestApp;
  database: PrivateDatabase;
  operations: ApiOperation[];
  close(): Promise<void>;
}

/**
 * The api role on a database of its own: no relay, dispatcher or worker writes behind a spec's back, and no
 * other suite's app shares the rows, so every change the fingerprint sees is the request's.
 */
export async function startAbuseApp(label: string, overrides: NodeJS.ProcessEnv = {}): Promise<AbuseApp> {
  const database = await createPrivateDatabase(label);
  try {
    const sut = await startAppOn(database, { APP_ROLE: 'api', ...overrides });
    return {
      sut,
      database,
      operations: await fetchV1Operations(sut.http),
      async close() {
        await sut.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** How sendOwn sends: `jsonText` sends the body as is (JSON that JSON.stringify cannot write, or signed bytes). */
export interface SendOptions {
  jsonText?: boolean;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/**
 * Sends `body` to the operation on the organization's own objects, as its owner, from an address of its own
 * (signup and login count per address); answers the response and the tables that changed.
 */
export async function sendOwn(
  app: AbuseApp,
  objects: OrganizationObjects,
  operation: ApiOperation,
  body: unknown,
  { jsonText = false, headers = {}, query = {} }: SendOptions = {},
): Promise<{ response: Response; changed: string[] }> {
  const { result: response, changed } = await watchWrites(app.sut.db, () =>
    send(app.sut.http, operation, fillPath(operation, ownPathValues(operation, objects)), {
      bearer: objects.owner.bearer,
      body,
      headers: {
        'X-Forwarded-For': randomIp(),
        ...(jsonText && { 'Content-Type': 'application/json' }),
        ...headers,
      },
    }).query(query),
  );
  return { response, changed };
}

/**
 * What is wrong with an answer that should be a 400 validation_failed naming exactly `fields`
 * (`lineItems.0.amount`) and writing nothing; empty when it is one.
 */
export function refusalProblems(
  label: string,
  { response, changed }: { response: Response; changed: string[] },
  fields: string[],
): string[] {
  const named = ((response.body?.errors ?? []) as { field: string }[]).map((error) => error.field);
  const refused =
    response.status === 400 &&
    /^application\/problem\+json/.test(response.headers['content-type']) &&
    response.body.code === 'validation_failed' &&
    JSON.stringify([...new Set(named)].sort()) === JSON.stringify([...fields].sort());
  return [
    ...(refused ? [] : [`${label}: ${response.status} ${response.text.slice(0, 300)}`]),
    ...(changed.length > 0 ? [`${label}: wrote ${changed.join(', ')}`] : []),
  ];
}
