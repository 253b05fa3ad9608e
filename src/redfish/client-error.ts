import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { baseMessage, errorBody } from './errors.js';

type ClientErrorListener = (err: Error & { code?: string }, socket: Duplex) => void;

/**
 * Node's HTTP parser rejects a request whose method it does not know (`HPE_INVALID_METHOD`) before any route runs, and
 * the default answer is a bare 400. DSP0266 wants 501 Not Implemented for a method the service does not recognise,
 * with a Redfish error body like every other error, so that one case is answered here; every other client error
 * still goes to the listeners that were there before (fastify's).
 */
export function answerUnknownMethods(server: Server): void {
  const previous = server.listeners('clientError') as ClientErrorListener[];
  server.removeAllListeners('clientError');
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    if (err.code !== 'HPE_INVALID_METHOD' || !socket.writable) {
      for (const l of previous) l.call(server, err, socket);
      if (previous.length === 0) socket.destroy(err);
      return;
    }
    const body = JSON.stringify(errorBody([baseMessage('OperationNotAllowed')]));
    socket.end(
      'HTTP/1.1 501 Not Implemented\r\n' +
        'Content-Type: application/json; charset=utf-8\r\n' +
        'OData-Version: 4.0\r\n' +
        'Cache-Control: no-cache\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
