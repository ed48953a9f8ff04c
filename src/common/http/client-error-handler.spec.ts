import type { Socket } from 'node:net';
import { answerClientError } from './client-error-handler.js';

/** A socket that records what is written to it and whether it was destroyed. */
function fakeSocket(state: Partial<Pick<Socket, 'destroyed' | 'writable'>> = {}) {
  const socket = { destroyed: false, writable: true, written: '', wasDestroyed: false, ...state };
  return Object.assign(socket, {
    write: (text: string) => {
      socket.written += text;
      return true;
    },
    destroy: () => {
      socket.wasDestroyed = true;
    },
  });
}

const clientError = (code: string) => Object.assign(new Error(code), { code });

/** The status line, headers and parsed body of what was written. */
function answer(written: string) {
  const [head, body] = written.split('\r\n\r\n');
  const [statusLine, ...headers] = head.split('\r\n');
  return { statusLine, headers, body: JSON.parse(body) };
}

describe('answerClientError', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 'HTTP/1.1 431 Request Header Fields Too Large', 'headers_too_large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'HTTP/1.1 408 Request Timeout', 'request_timeout'],
    ['HPE_INVALID_METHOD', 'HTTP/1.1 400 Bad Request', 'bad_request'],
  ])('answers %s with a problem document, then closes the connection', (code, statusLine, problemCode) => {
    const socket = fakeSocket();

    answerClientError(clientError(code), socket as unknown as Socket);

    const sut = answer(socket.written);
    expect(sut.statusLine).toBe(statusLine);
    expect(sut.headers).toEqual(
      expect.arrayContaining(['Content-Type: application/problem+json', 'Connection: close']),
    );
    expect(sut.headers).toContain(
      `Content-Length: ${Buffer.byteLength(socket.written.split('\r\n\r\n')[1])}`,
    );
    expect(sut.body).toMatchObject({ type: `/problems/${problemCode}`, code: problemCode });
    expect(socket.wasDestroyed).toBe(true);
  });

  it('writes nothing to a connection the client reset', () => {
    const socket = fakeSocket();

    answerClientError(clientError('ECONNRESET'), socket as unknown as Socket);

    expect({ written: socket.written, destroyed: socket.wasDestroyed }).toEqual({
      written: '',
      destroyed: false,
    });
  });

  it('only closes a socket that can no longer be written to', () => {
    const socket = fakeSocket({ writable: false });

    answerClientError(clientError('HPE_HEADER_OVERFLOW'), socket as unknown as Socket);

    expect({ written: socket.written, destroyed: socket.wasDestroyed }).toEqual({
      written: '',
      destroyed: true,
    });
  });
});
