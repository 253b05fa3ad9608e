import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import { DriverError } from '../../../src/drivers/api.js';
import { toDriverError } from '../../../src/drivers/runtime/guard.js';
import { quoteEtag } from '../../../src/drivers/runtime/redfish-client.js';

const sysErr = (code: string, message = `connect ${code} 10.0.0.5:443`) => Object.assign(new Error(message), { code, errno: -1, syscall: 'connect' });

describe('toDriverError', () => {
  it('passes DriverErrors through untouched', () => {
    const e = new DriverError('Busy', 'x', { retryAfterMs: 5 });
    expect(toDriverError(e)).toBe(e);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND'])('%s is Unavailable', (code) => {
    const e = toDriverError(sysErr(code));
    expect(e).toBeInstanceOf(DriverError);
    expect(e.code).toBe('Unavailable');
    expect(e.message).toContain(code);
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('looks at the cause when the library wraps the system error (fetch failed)', () => {
    expect(toDriverError(new TypeError('fetch failed', { cause: sysErr('ECONNREFUSED') })).code).toBe('Unavailable');
  });

  it("undici's socket and closed-client errors are Unavailable", () => {
    expect(toDriverError(new undiciErrors.SocketError('other side closed')).code).toBe('Unavailable');
    expect(toDriverError(new undiciErrors.ClientClosedError()).code).toBe('Unavailable');
  });

  it("undici's headers, body and connect timeouts are Timeout", () => {
    expect(toDriverError(new undiciErrors.HeadersTimeoutError()).code).toBe('Timeout');
    expect(toDriverError(new undiciErrors.BodyTimeoutError()).code).toBe('Timeout');
    expect(toDriverError(new undiciErrors.ConnectTimeoutError()).code).toBe('Timeout');
  });

  it('aborts are Cancelled', () => {
    expect(toDriverError(new undiciErrors.RequestAbortedError()).code).toBe('Cancelled');
    expect(toDriverError(new DOMException('This operation was aborted', 'AbortError')).code).toBe('Cancelled');
  });

  it('anything else is BadResponse, including non-Error values', () => {
    expect(toDriverError(new SyntaxError('Unexpected end of JSON input')).code).toBe('BadResponse');
    expect(toDriverError('a string').code).toBe('BadResponse');
    expect(toDriverError(undefined).code).toBe('BadResponse');
    expect(toDriverError(null).code).toBe('BadResponse');
  });
});

describe('quoteEtag', () => {
  it('quotes a bare tag', () => {
    expect(quoteEtag('abc123')).toBe('"abc123"');
    expect(quoteEtag('  abc123 ')).toBe('"abc123"');
  });
  it('leaves quoted and weak tags alone', () => {
    expect(quoteEtag('"abc123"')).toBe('"abc123"');
    expect(quoteEtag('W/"abc123"')).toBe('W/"abc123"');
  });
});
