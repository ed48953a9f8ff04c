import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { currentRequestId } from './request-context.js';

type JsonLogOptions = Parameters<ConsoleLogger['getJsonLogObject']>[1];

/** Nest's JSON console logger, with the request id of the work in progress on every line. */
export class RequestAwareLogger extends ConsoleLogger {
  constructor(logLevels: LogLevel[]) {
    super({ json: true, logLevels });
  }

  protected override getJsonLogObject(message: unknown, options: JsonLogOptions) {
    const requestId = currentRequestId();
    const line = super.getJsonLogObject(message, options);
    return requestId ? { ...line, requestId } : line;
  }
}
