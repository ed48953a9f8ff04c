import { getQueueToken } from '@nestjs/bullmq';
import { type Queue, QueueEvents } from 'bullmq';
import { OverdueInvoices } from '../../src/invoices/overdue-invoices.js';
import { MAINTENANCE_QUEUE } from '../../src/scheduler/maintenance.producer.js';
import { TEST_REDIS_URL } from '../support/environment.js';
import {
  type Account,
  actingAs,
  createInvoice,
  eventsAbout,
  finalizeInvoice,
  signUpOwner,
} from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PAST_DUE = { issueDate: '2020-01-01', dueDate: '2020-01-31' };

describe('invoices.announce-overdue', () => {
  let sut: TestApp;
  let queue: Queue;
  let queueEvents: QueueEvents;

  beforeAll(async () => {
    sut = await startTestApp();
    queue = sut.app.get<Queue>(getQueueToken(MAINTENANCE_QUEUE));
    queueEvents = new QueueEvents(MAINTENANCE_QUEUE, { connection: { url: TEST_REDIS_URL } });
    await queueEvents.waitUntilReady();
  });
  afterAll(async () => {
    await queueEvents.close();
    await sut.close();
  });

  async function issued(owner: Account, fields: Record<string, unknown>) {
    return finalizeInvoice(sut.http, owner, (await createInvoice(sut.http, owner, fields)).id);
  }

  const overdueEvents = async (id: string) =>
    (await eventsAbout(sut.db, id)).filter((e) => e.type === 'invoice.overdue');

  async function runJob(): Promise<void> {
    const job = await queue.add('invoices.announce-overdue', {});
    await job.waitUntilFinished(queueEvents, 15_000);
  }

  it('announces an open invoice past its due date once, through the real queue', async () => {
    const owner = await signUpOwner(sut.http);
    const invoice = await issued(owner, PAST_DUE);

    await runJob();
    await runJob();

    const events = await overdueEvents(invoice.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      organizationId: owner.organizationId,
      data: { id: invoice.id, status: 'open', overdue: true, number: invoice.number },
    });
  });

  it('leaves alone what is not overdue: due later, drafts, uncollectible and void invoices', async () => {
    const owner = await signUpOwner(sut.http);
    const dueLater = await issued(owner, { daysUntilDue: 30 });
    const draft = await createInvoice(sut.http, owner, PAST_DUE);
    const uncollectible = await issued(owner, PAST_DUE);
    await actingAs(sut.http, owner).post(`/v1/invoices/${uncollectible.id}/mark-uncollectible`).expect(200);
    const voided = await issued(owner, PAST_DUE);
    await actingAs(sut.http, owner).post(`/v1/invoices/${voided.id}/void`).expect(200);

    await runJob();

    for (const invoice of [dueLater, draft, uncollectible, voided])
      expect(await overdueEvents(invoice.id)).toEqual([]);
  });

  it('announces each invoice once even when runs overlap', async () => {
    const owner = await signUpOwner(sut.http);
    const invoices = await Promise.all(Array.from({ length: 5 }, () => issued(owner, PAST_DUE)));
    const overdue = sut.app.get(OverdueInvoices);

    await Promise.all([overdue.announce(), overdue.announce(), overdue.announce()]);

    for (const invoice of invoices) expect(await overdueEvents(invoice.id)).toHaveLength(1);
  });

  it('shows the invoice as overdue in the API, and filters on it', async () => {
    const owner = await signUpOwner(sut.http);
    const invoice = await issued(owner, PAST_DUE);

    const listed = await actingAs(sut.http, owner).get('/v1/invoices?overdue=true').expect(200);

    expect(listed.body.data.map((i: { id: string }) => i.id)).toEqual([invoice.id]);
    expect(listed.body.data[0].overdue).toBe(true);
  });
});
