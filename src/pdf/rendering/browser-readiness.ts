import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { withTimeout } from '../../common/with-timeout.js';
import { ReadinessChecks } from '../../health/readiness-checks.js';
import { PdfRenderer } from './pdf-renderer.js';

const TIMEOUT_MS = 5_000;

/** A PDF worker is ready when its browser answers (launching it if needed: a wrong CHROMIUM_PATH shows here). */
@Injectable()
export class BrowserReadiness implements OnModuleInit {
  constructor(
    private readonly checks: ReadinessChecks,
    private readonly renderer: PdfRenderer,
    private readonly indicators: HealthIndicatorService,
  ) {}

  onModuleInit(): void {
    this.checks.add(() => this.check());
  }

  async check() {
    const indicator = this.indicators.check('browser');
    try {
      const version = await withTimeout(
        this.renderer.version(),
        TIMEOUT_MS,
        () => new Error(`no answer within ${TIMEOUT_MS} ms`),
      );
      return indicator.up({ version });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
