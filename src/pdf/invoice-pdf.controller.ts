import { Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, RequireRole } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { ApiProblems } from '../common/http/api-problems.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import { InvoicePdfDto } from '../invoices/dto/invoice.dto.js';
import { InvoicePdfService, PDF_RETRY_AFTER_S } from './invoice-pdf.service.js';

const PDF_TYPE = 'application/pdf';

@ApiTags('invoices')
@Controller('v1/invoices/:id/pdf')
export class InvoicePdfController {
  constructor(private readonly pdfs: InvoicePdfService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'The invoice as a PDF',
    description:
      'An issued invoice answers its stored PDF once rendered (202 until then); a draft is printed on demand as a preview marked DRAFT. Send If-None-Match with the ETag to get 304 when unchanged.',
  })
  @ApiProduces(PDF_TYPE, 'application/json')
  @ApiResponse({
    status: 200,
    description: 'The PDF',
    content: { [PDF_TYPE]: { schema: { type: 'string', format: 'binary' } } },
    headers: {
      ETag: { description: 'The PDF’s sha256, quoted', schema: { type: 'string' } },
      'Content-Disposition': { description: 'inline; filename="<number>.pdf"', schema: { type: 'string' } },
    },
  })
  @ApiResponse({
    status: 202,
    type: InvoicePdfDto,
    description: 'Rendering; ask again after Retry-After seconds',
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
  })
  @ApiResponse({ status: 304, description: 'Unchanged since the ETag in If-None-Match' })
  @ApiProblems(400, 404, 409, 503)
  async getInvoicePdf(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const answer = await this.pdfs.get(user, id, ifNoneMatch);
    reply.header('cache-control', 'private, no-cache');
    switch (answer.kind) {
      case 'pending':
        await reply.status(202).header('retry-after', String(PDF_RETRY_AFTER_S)).send(answer.pdf);
        return;
      case 'not-modified':
        await reply.status(304).header('etag', answer.etag).send();
        return;
      case 'file':
        await reply
          .status(200)
          .type(PDF_TYPE)
          .header('etag', answer.etag)
          .header('content-disposition', `inline; filename="${answer.filename}"`)
          .send(answer.content);
    }
  }

  @Post('render')
  @HttpCode(202)
  @RequireRole('member')
  @ApiOperation({ summary: 'Render the stored PDF again (after a failure)' })
  @ApiResponse({ status: 202, type: InvoicePdfDto, description: 'Queued; GET the pdf url until it is ready' })
  @ApiProblems(400, 404, 409)
  renderInvoicePdf(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<InvoicePdfDto> {
    return this.pdfs.requestRender(user, id);
  }
}
