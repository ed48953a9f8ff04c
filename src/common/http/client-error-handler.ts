import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { DomainError } from '../errors/domain-error.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../errors/problem.js';

function clientErrorOf(error: NodeJS.ErrnoException): DomainError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new DomainError(
        'headers_too_large',
        'The URL and headers together are larger than the server reads',
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new DomainError('request_timeout', 'The request did not arrive in time');
    default:
      return new DomainError('bad_request', 'The request is not valid HTTP');
  }
}

/**
 * Fastify's clientErrorHandler: requests Node's HTTP parser refuses before any route sees them (a URL or
 * headers too large, a malformed request line, a timeout) get a problem document like every other 4xx,
 * where Fastify's default answers JSON of its own shape. The connection is closed, as Node does.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const problem = toProblem(clientErrorOf(error));
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
