import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { BatchedLines } from './batched-lines.js';
import { currentRequestId } from './request-context.js';

type JsonLogOptions = Parameters<ConsoleLogger['getJsonLogObject']>[1];

const output = { stdout: new BatchedLines(process.stdout), stderr: new BatchedLines(process.stderr) };

/**
 * Nest's JSON console logger, with the request id of the work in progress on every line, and lines written
 * in batches (BatchedLines).
 */
export class RequestAwareLogger extends ConsoleLogger {
  constructor(logLevels: LogLevel[]) {
    super({ json: true, logLevels });
  }

  protected override printAsJson(message: unknown, options: JsonLogOptions): void {
    let line: string;
    try {
      line = JSON.stringify(this.getJsonLogObject(message, options));
    } catch {
      // A cycle or a throwing toJSON: Nest's own printer copes with those.
      return super.printAsJson(message, options);
    }
    output[options.writeStreamType ?? 'stdout'].write(`${line}\n`);
  }

  protected override getJsonLogObject(message: unknown, options: JsonLogOptions) {
    const requestId = currentRequestId();
    const line = super.getJsonLogObject(message, options);
    return requestId ? { ...line, requestId } : line;
  }
}
