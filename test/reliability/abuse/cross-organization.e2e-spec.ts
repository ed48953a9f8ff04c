import type { Response } from 'supertest';
import { newId } from '../../../src/database/ids.js';
import { type Account, addMember, PROBLEM_JSON } from '../../support/factories.js';
import { type AbuseApp, startAbuseApp } from './abuse-app.js';
import { type ApiOperation, fillPath, pathParameters, send } from './api-document.js';
import { watchWrites } from './database-fingerprint.js';
import {
  ID_SOURCES,
  idsFor,
  type OrganizationObjects,
  organizationWithOneOfEverything,
  ownPathValues,
  pathParameterKey,
} from './organization-fixture.js';
import { type BodyIds, minimalBody } from './schema-values.js';
import { printTallies, Tally } from './tally.js';

/** One request of the sweep: the operation, where the victim's id goes, and the body around it. */
interface Probe {
  operation: ApiOperation;
  label: string;
  /** The request with `id` put where the victim's id goes. */
  path: (id: string) => string;
  query?: (id: string) => Record<string, string>;
  body?: (id: string) => Record<string, unknown> | undefined;
  victimId: string;
}

/** What must not differ between another organization's id and an id nobody has. */
const answerOf = (response: Response, id: string) => ({
  status: response.status,
  contentType: response.status >= 400 ? response.headers['content-type'] : undefined,
  body: response.text.replaceAll(id, '<id>'),
});

const bodyIdsOf = (objects: OrganizationObjects): BodyIds => ({
  customerId: objects.customer,
  invoiceId: objects.issuedInvoice,
});

const uuidFields = (operation: ApiOperation) =>
  Object.entries(operation.body?.properties ?? {})
    .filter(([, schema]) => schema.format === 'uuid')
    .map(([name]) => name);

const uuidQueryParameters = (operation: ApiOperation) =>
  operation.parameters.filter((parameter) => parameter.in === 'query' && parameter.schema?.format === 'uuid');

describe('abuse: another organization’s ids on every route', () => {
  let app: AbuseApp;
  let operations: ApiOperation[];
  let victim: OrganizationObjects;
  let intruder: OrganizationObjects;
  let intruderViewer: Account;
  const tallies = {
    pathOwner: new Tally('path ids, intruding owner'),
    pathViewer: new Tally('path ids, intruding viewer'),
    query: new Tally('query ids (customerId, invoiceId filters)'),
    body: new Tally('body ids (customerId, invoiceId fields)'),
  };

  beforeAll(async () => {
    app = await startAbuseApp('abuse_tenancy');
    operations = app.operations.filter((operation) => operation.secured);
    victim = await organizationWithOneOfEverything(app.sut.http);
    intruder = await organizationWithOneOfEverything(app.sut.http);
    intruderViewer = await addMember(app.sut.http, intruder.owner, 'viewer');
  });
  afterAll(async () => {
    printTallies('cross-organization', Object.values(tallies));
    await app?.close();
  });

  /** Path probes: each path parameter takes each victim id that fits it, the others the intruder's own. */
  function pathProbes(): Probe[] {
    return operations.flatMap((operation) =>
      pathParameters(operation).flatMap(({ name }) => {
        const key = pathParameterKey(operation.path, name);
        const own = ownPathValues(operation, intruder);
        return idsFor(victim, key).map((victimId, index) => ({
          operation,
          label: `${operation.route} with the victim's ${key} #${index + 1}`,
          path: (id: string) => fillPath(operation, { ...own, [name]: id }),
          body: () => minimalBody(operation, bodyIdsOf(intruder)),
          victimId,
        }));
      }),
    );
  }

  /** Sends `probe` with the victim's id and with a fresh id; answers what differed and what was written. */
  async function probeAs(caller: Account, probe: Probe, tally: Tally) {
    const fresh = newId();
    const answers = [];
    const writes: string[] = [];
    for (const id of [probe.victimId, fresh]) {
      const { result: response, changed } = await watchWrites(app.sut.db, () =>
        send(app.sut.http, probe.operation, probe.path(id), {
          bearer: caller.bearer,
          body: probe.body?.(id),
        }).query(probe.query?.(id) ?? {}),
      );
      tally.count(response.status, changed.length > 0);
      answers.push(answerOf(response, id));
      if (changed.length > 0) writes.push(`${probe.label}: wrote ${changed.join(', ')}`);
      if (response.status >= 500) writes.push(`${probe.label}: ${response.status} ${response.text}`);
    }
    const [withVictimId, withFreshId] = answers;
    const differs = JSON.stringify(withVictimId) !== JSON.stringify(withFreshId);
    return {
      answer: withVictimId,
      problems: [
        ...writes,
        ...(differs
          ? [
              `${probe.label}: ${JSON.stringify(withVictimId)} but for an unknown id ${JSON.stringify(withFreshId)}`,
            ]
          : []),
      ],
    };
  }

  it('knows an object of the victim for every id parameter the document declares', () => {
    const named = operations.flatMap((operation) => [
      ...pathParameters(operation).map(({ name }) => pathParameterKey(operation.path, name)),
      ...uuidQueryParameters(operation).map(({ name }) => name),
      ...uuidFields(operation),
    ]);

    // idsFor throws, naming the parameter, for one it does not know; a source no route uses is stale.
    for (const key of named) expect(idsFor(victim, key).length).toBeGreaterThan(0);
    expect([...new Set(named)].sort()).toEqual(Object.keys(ID_SOURCES).sort());
  });

  it('answers the victim’s ids in paths 404, exactly as an unknown id, to an intruding owner, and writes nothing', async () => {
    const probes = pathProbes();
    const problems: string[] = [];
    for (const probe of probes) {
      const { answer, problems: found } = await probeAs(intruder.owner, probe, tallies.pathOwner);
      problems.push(...found);
      if (answer.status !== 404 || !PROBLEM_JSON.test(answer.contentType ?? ''))
        problems.push(`${probe.label}: ${answer.status} ${answer.body}`);
    }

    expect(problems).toEqual([]);
    expect(probes.length).toBeGreaterThanOrEqual(40);
  });

  // The role rule comes first: a viewer gets 403 on an admin route whatever the id, which reveals nothing.
  it('answers an intruding viewer 403 or 404, exactly as for an unknown id, and writes nothing', async () => {
    const problems: string[] = [];
    for (const probe of pathProbes()) {
      const { answer, problems: found } = await probeAs(intruderViewer, probe, tallies.pathViewer);
      problems.push(...found);
      if (![403, 404].includes(answer.status))
        problems.push(`${probe.label}: ${answer.status} ${answer.body}`);
    }

    expect(problems).toEqual([]);
  });

  it('answers the victim’s ids in query filters exactly as an unknown id', async () => {
    const probes: Probe[] = operations.flatMap((operation) =>
      uuidQueryParameters(operation).flatMap(({ name }) =>
        idsFor(victim, name).map((victimId) => ({
          operation,
          label: `${operation.route}?${name}=<victim's>`,
          path: () => fillPath(operation, {}),
          query: (id: string) => ({ [name]: id }),
          victimId,
        })),
      ),
    );
    const problems: string[] = [];
    for (const probe of probes)
      problems.push(...(await probeAs(intruder.owner, probe, tallies.query)).problems);

    expect(problems).toEqual([]);
    expect(probes.length).toBeGreaterThan(0);
  });

  it('answers the victim’s ids in bodies 404, exactly as an unknown id, and writes nothing', async () => {
    const probes: Probe[] = operations.flatMap((operation) =>
      uuidFields(operation).flatMap((field) => {
        // The first invoice is a draft: the one state in which every body field may still change.
        const own = ownPathValues(operation, intruder);
        return idsFor(victim, field).map((victimId) => ({
          operation,
          label: `${operation.route} with the victim's ${field} ${victimId}`,
          path: () => fillPath(operation, own),
          body: (id: string) => ({ ...minimalBody(operation, bodyIdsOf(intruder)), [field]: id }),
          victimId,
        }));
      }),
    );
    const problems: string[] = [];
    for (const probe of probes) {
      const { answer, problems: found } = await probeAs(intruder.owner, probe, tallies.body);
      problems.push(...found);
      if (answer.status !== 404) problems.push(`${probe.label}: ${answer.status} ${answer.body}`);
    }

    expect(problems).toEqual([]);
    expect(probes.length).toBeGreaterThan(0);
  });
});
