import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { PROBLEM_TYPE_BASE, problemTypeForStatus } from '../errors/problem-catalog';
import { PROBLEM_CONTENT_TYPE } from './problem.filter';

/**
 * Fastify `clientErrorHandler`: Node's HTTP parser refused the request (a control character or
 * bare CR in a header, a malformed request line, oversized headers). Answers a problem like every
 * other refusal instead of Fastify's ad-hoc JSON, then closes the connection.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 408
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : 400;
  const type = problemTypeForStatus(status);
  const requestId = randomUUID();
  const body = JSON.stringify({
    type: PROBLEM_TYPE_BASE + type.slug,
    title: type.title,
    status,
    detail: 'The request could not be parsed as HTTP',
    // The request line may itself be what failed to parse, so there is no path to name.
    instance: '',
    request_id: requestId,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${type.title}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        'X-Content-Type-Options: nosniff\r\n' +
        `X-Request-ID: ${requestId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
