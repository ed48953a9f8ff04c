import { createHash, randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JobType, Queue } from 'bullmq';
import type { Response } from 'supertest';
import { PDF_QUEUE, PREVIEW_JOB } from '../../src/pdf/queue/pdf-jobs.js';
import { PdfRenderProcessor } from '../../src/pdf/rendering/pdf-render.processor.js';
import {
  actingAs,
  addMember,
  createInvoice,
  createPayment,
  eventsAbout,
  expectProblem,
  getInvoice,
  openInvoice,
  refundPayment,
  signUpOwner,
} from '../support/factories.js';
import { fetchPdf, getBytes, pdfText, startPdfTestApp } from '../support/pdf.js';
import { waitFor } from '../support/processes.js';
import type { TestApp } from '../support/test-app.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('invoice PDFs', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startPdfTestApp('pdf_api');
  }, 60_000);

  afterAll(async () => {
    await sut?.close();
  });

  const as = (account: Parameters<typeof actingAs>[1]) => actingAs(sut.http, account);
  const pdfPath = (id: string) => `/v1/invoices/${id}/pdf`;

  /** The stored PDF rows of an invoice (their sha256). */
  async function storedPdfs(invoiceId: string): Promise<string[]> {
    const { rows } = await sut.db.query<{ sha256: string }>(
      'SELECT sha256 FROM invoice_pdfs WHERE invoice_id = $1 ORDER BY created_at',
      [invoiceId],
    );
    return rows.map((row) => row.sha256);
  }

  /** Waits until the invoice's PDF is ready again after a change, and answers the invoice. */
  async function readyAgain(owner: Parameters<typeof actingAs>[1], invoiceId: string, previousSha: string) {
    return waitFor(
      async () => {
        const invoice = await getInvoice(sut.http, owner, invoiceId);
        return invoice.pdf?.status === 'ready' && invoice.pdf.sha256 !== previousSha && invoice;
      },
      30_000,
      'the PDF rendered again',
    );
  }

  describe('an issued invoice', () => {
    it('is pending at finalize, then served as application/pdf with its sha256 as ETag, once, with invoice.pdf_ready', async () => {
      const owner = await signUpOwner(sut.http);
      const issued = await openInvoice(sut.http, owner);
      expect(issued.pdf).toEqual({
        status: 'pending',
        sha256: null,
        generatedAt: null,
        url: pdfPath(issued.id),
      });

      const response = await fetchPdf(sut.http, owner, issued.id);

      const body = response.body as Buffer;
      expect(body.subarray(0, 5).toString()).toBe('%PDF-');
      expect(response.headers).toMatchObject({
        'content-type': 'application/pdf',
        'content-disposition': 'inline; filename="INV-000001.pdf"',
        etag: `"${sha256(body)}"`,
        'cache-control': 'private, no-cache',
      });
      const invoice = await getInvoice(sut.http, owner, issued.id);
      expect(invoice.pdf).toEqual({
        status: 'ready',
        sha256: sha256(body),
        generatedAt: expect.any(String),
        url: pdfPath(issued.id),
      });
      expect(await storedPdfs(issued.id)).toEqual([sha256(body)]);
      const ready = (await eventsAbout(sut.db, issued.id)).filter(
        (event) => event.type === 'invoice.pdf_ready',
      );
      expect(ready).toEqual([
        expect.objectContaining({
          organizationId: owner.organizationId,
          data: expect.objectContaining({ pdf: invoice.pdf }),
        }),
      ]);
    });

    it('answers 304 to a matching If-None-Match (also weak, or in a list) and the PDF to another', async () => {
      const owner = await signUpOwner(sut.http);
      const { id } = await openInvoice(sut.http, owner);
      const { headers } = await fetchPdf(sut.http, owner, id);
      const etag = headers.etag as string;

      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const response = await as(owner).get(pdfPath(id)).set('If-None-Match', ifNoneMatch);
        expect({
          ifNoneMatch,
          status: response.status,
          etag: response.headers.etag,
          body: response.text,
        }).toEqual({
          ifNoneMatch,
          status: 304,
          etag,
          body: '',
        });
      }
      const other = await getBytes(sut.http, owner, pdfPath(id)).set('If-None-Match', '"0000"');
      expect(other.status).toBe(200);
    });

    it('answers 202 with Retry-After and the pdf state while the render is pending', async () => {
      const owner = await signUpOwner(sut.http);
      const { id } = await openInvoice(sut.http, owner);
      await fetchPdf(sut.http, owner, id);
      // Asked again, but held back from every dispatcher for an hour: pending for the length of this test.
      await sut.db.query(
        `UPDATE invoices SET pdf_status = 'pending', pdf_sha256 = NULL, pdf_generated_at = NULL,
                pdf_version = pdf_version + 1,
                pdf_queued_at = now() + interval '1 hour' WHERE id = $1`,
        [id],
      );

      const response = await as(owner).get(pdfPath(id)).expect(202);

      expect(response.headers['retry-after']).toBe('1');
      expect(response.body).toEqual({ status: 'pending', sha256: null, generatedAt: null, url: pdfPath(id) });
    });

    it.each([
      ['a partial payment', 'payment'],
      ['a refund', 'refund'],
      ['a void', 'void'],
    ])(
      'is rendered again after %s, showing it, and the old PDF is no longer stored',
      async (_case, change) => {
        const owner = await signUpOwner(sut.http);
        const { id } = await openInvoice(sut.http, owner);
        const first = await fetchPdf(sut.http, owner, id);
        const firstSha = sha256(first.body as Buffer);
        const payment = change === 'refund' ? await createPayment(sut.http, owner, id, 10000) : null;
        if (change === 'payment') await createPayment(sut.http, owner, id, 2500);
        if (change === 'refund') await refundPayment(sut.http, owner, payment!.id, { amount: 4000 });
        if (change === 'void') await as(owner).post(`/v1/invoices/${id}/void`).expect(200);

        const invoice = await readyAgain(owner, id, firstSha);

        const text = await pdfText((await fetchPdf(sut.http, owner, id)).body as Buffer);
        const expected = { payment: '$25.00', refund: '$60.00', void: 'VOID' }[change]!;
        expect(text).toContain(expected);
        expect(await storedPdfs(id)).toEqual([invoice.pdf!.sha256]);
      },
    );

    it('is not rendered again by a change the PDF does not show (send)', async () => {
      const owner = await signUpOwner(sut.http);
      const { id } = await openInvoice(sut.http, owner);
      await fetchPdf(sut.http, owner, id);
      const before = await getInvoice(sut.http, owner, id);

      await as(owner).post(`/v1/invoices/${id}/send`).expect(200);

      expect((await getInvoice(sut.http, owner, id)).pdf).toEqual(before.pdf);
    });
  });

  describe('a draft', () => {
    it('is previewed on demand, marked DRAFT, with an ETag naming its revision; nothing is stored', async () => {
      const owner = await signUpOwner(sut.http);
      const draft = await createInvoice(sut.http, owner, { notes: 'First revision' });
      expect(draft.pdf).toBeNull();

      const preview = await getBytes(sut.http, owner, pdfPath(draft.id)).expect(200);

      expect(preview.headers).toMatchObject({
        'content-type': 'application/pdf',
        'content-disposition': `inline; filename="draft-${draft.id}.pdf"`,
        etag: `"draft-${Date.parse(draft.updatedAt)}"`,
      });
      const text = await pdfText(preview.body as Buffer);
      expect(text).toContain('DRAFT');
      expect(text).toContain('First revision');
      expect(await storedPdfs(draft.id)).toEqual([]);
      await as(owner).get(pdfPath(draft.id)).set('If-None-Match', preview.headers.etag).expect(304);

      const edited = await as(owner)
        .patch(`/v1/invoices/${draft.id}`, { notes: 'Second revision' })
        .expect(200);
      const again = await getBytes(sut.http, owner, pdfPath(draft.id))
        .set('If-None-Match', preview.headers.etag)
        .expect(200);
      expect(again.headers.etag).toBe(`"draft-${Date.parse(edited.body.updatedAt)}"`);
      expect(await pdfText(again.body as Buffer)).toContain('Second revision');
    });

    it('is printed before the renders queued ahead of it: a client waits for it, nobody waits for them', async () => {
      const owner = await signUpOwner(sut.http);
      const draft = await createInvoice(sut.http, owner);
      const renders = 20;
      const { worker } = sut.app.get(PdfRenderProcessor);
      const queue = sut.app.get<Queue>(getQueueToken(PDF_QUEUE));
      const queued = async (...states: JobType[]) =>
        Object.values(await queue.getJobCounts(...states)).reduce((sum, n) => sum + n, 0);

      // The worker is paused while the backlog forms, so the order it then takes the jobs in is the queue's.
      await worker.pause();
      let previewing: Promise<Response>;
      try {
        await Promise.all(Array.from({ length: renders }, () => openInvoice(sut.http, owner)));
        await waitFor(async () => (await queued('waiting', 'prioritized')) >= renders, 10_000, 'the renders');
        previewing = getBytes(sut.http, owner, pdfPath(draft.id)).then((response) => response);
        await waitFor(
          async () => (await queue.getWaiting()).some((job) => job.name === PREVIEW_JOB),
          10_000,
          'the preview job',
        );
      } finally {
        worker.resume();
      }
      const preview = await previewing;
      const { rows } = await sut.db.query<{ pending: number }>(
        `SELECT count(*)::int AS pending FROM invoices WHERE organization_id = $1 AND pdf_status = 'pending'`,
        [owner.organizationId],
      );

      expect(preview.status).toBe(200);
      // Taken in queue order, the preview would come after them all: a handful (the jobs in hand) left at most.
      expect(rows[0].pending).toBeGreaterThan(renders / 2);
    });

    it('has nothing to render again: POST .../pdf/render is a 409', async () => {
      const owner = await signUpOwner(sut.http);
      const draft = await createInvoice(sut.http, owner);

      expectProblem(await as(owner).post(`${pdfPath(draft.id)}/render`), 409, 'cannot_render_draft_pdf');
    });
  });

  describe('POST /v1/invoices/:id/pdf/render', () => {
    it('asks for the PDF again: 202 pending, then ready with a new generatedAt', async () => {
      const owner = await signUpOwner(sut.http);
      const { id } = await openInvoice(sut.http, owner);
      await fetchPdf(sut.http, owner, id);
      const before = await getInvoice(sut.http, owner, id);

      const response = await as(owner)
        .post(`${pdfPath(id)}/render`)
        .expect(202);

      expect(response.body).toEqual({ status: 'pending', sha256: null, generatedAt: null, url: pdfPath(id) });
      const after = await waitFor(
        async () => {
          const invoice = await getInvoice(sut.http, owner, id);
          return invoice.pdf?.status === 'ready' && invoice;
        },
        30_000,
        'the PDF rendered again',
      );
      expect(after.pdf!.generatedAt! > before.pdf!.generatedAt!).toBe(true);
    });
  });

  describe('access and bad input', () => {
    it('lets a viewer fetch the PDF but not ask for a render (403)', async () => {
      const owner = await signUpOwner(sut.http);
      const viewer = await addMember(sut.http, owner, 'viewer');
      const { id } = await openInvoice(sut.http, owner);

      expect((await fetchPdf(sut.http, viewer, id)).status).toBe(200);
      expectProblem(await as(viewer).post(`${pdfPath(id)}/render`), 403, 'insufficient_role');
    });

    it("answers 404 for another organization's invoice and an unknown id, on both routes, changing nothing", async () => {
      const owner = await signUpOwner(sut.http);
      const stranger = await signUpOwner(sut.http);
      const { id } = await openInvoice(sut.http, owner);
      await fetchPdf(sut.http, owner, id);
      const before = await getInvoice(sut.http, owner, id);

      for (const invoiceId of [id, randomUUID()]) {
        expectProblem(await as(stranger).get(pdfPath(invoiceId)), 404, 'invoice_not_found');
        expectProblem(await as(stranger).post(`${pdfPath(invoiceId)}/render`), 404, 'invoice_not_found');
      }
      expect(await getInvoice(sut.http, owner, id)).toEqual(before);
    });

    it('answers 400 to an id that is not a UUID and 401 without a token', async () => {
      const owner = await signUpOwner(sut.http);
      expectProblem(await as(owner).get('/v1/invoices/not-a-uuid/pdf'), 400, 'validation_failed');
      expectProblem(await as(owner).post('/v1/invoices/not-a-uuid/pdf/render'), 400, 'validation_failed');
      expectProblem(await sut.http.get(pdfPath(randomUUID())), 401, 'unauthorized');
    });
  });
});
