import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { testApp } from '../support/app.js';

describe('OpenAPI docs page', () => {
  it('serves the Swagger UI and the OpenAPI document without Redfish auth', async () => {
    const s = await testApp();
    try {
      const page = await s.app.inject({ url: '/docs/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const doc = await s.app.inject({ url: '/docs/json' });
      expect(doc.json().openapi).toMatch(/^3\./);
    } finally {
      await s.close();
    }
  });
});

describe('HTTPS by default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a certificate on first start, keeps it across restarts, and serves TLS with it', async () => {
    const first = await build({ dataDir: dir, adminPassword: 'tls-admin-pw1', listen: { host: '127.0.0.1', port: 0 } }, { logger: false });
    const cert1 = readFileSync(first.certFile!, 'utf8');
    await first.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (first.app.server.address() as { port: number }).port;
    // Trust only the generated certificate: this fails unless TLS is really served with it and it names 127.0.0.1.
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/redfish/v1', ca: cert1 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    await first.close();
    const second = await build({ dataDir: dir, adminPassword: 'tls-admin-pw1' }, { logger: false });
    expect(readFileSync(second.certFile!, 'utf8')).toBe(cert1);
    await second.close();
  });
});
