import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../../mock-hardware/src/index.js';
import { createProbeAgent, looksLikeServiceRoot, probeRedfish, type ProbeAgent } from '../../../src/discovery/probe.js';

// Loopback only, in 127.162.0.0/16: this file owns 127.162.5.0/24.
let fleet: Fleet;
let agent: ProbeAgent;
let http: Server;
let httpPort = 0;
const HTTP_HOST = '127.162.5.1';

beforeAll(async () => {
  fleet = await startFleet({ seed: 'probe-redfish', timeScale: 0, baseAddress: '127.162.5.1', devices: [{ persona: 'bluefield3', count: 3 }] });
  agent = createProbeAgent({ connections: 4, connectTimeoutMs: 5000 });
  // A plain-HTTP listener on the first device's address: redirects, errors and non-Redfish answers.
  http = createServer((req, res) => {
    const d = fleet.devices[0]!;
    const routes: Record<string, () => void> = {
      upgrade: () => res.writeHead(301, { location: `https://${d.address}:${d.port}/redfish/v1` }).end(),
      'other-host': () => res.writeHead(308, { location: `https://127.162.5.2:${d.port}/redfish/v1` }).end(),
      found: () => res.writeHead(302, { location: `https://${d.address}:${d.port}/redfish/v1` }).end(),
      unauthorized: () => res.writeHead(401).end(),
      json: () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}'),
      huge: () => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"RedfishVersion":"${'x'.repeat(300 * 1024)}"}`),
    };
    (routes[mode] ?? (() => res.writeHead(500).end()))();
  });
  await new Promise<void>((r) => http.listen(0, HTTP_HOST, r));
  httpPort = (http.address() as AddressInfo).port;
});
afterAll(async () => {
  await agent?.close();
  await new Promise((r) => http?.close(r));
  await fleet?.stop();
});

let mode = '';
const viaHttp = (m: string) => {
  mode = m;
  return probeRedfish({ host: HTTP_HOST, port: httpPort, scheme: 'http' }, { timeoutMs: 3000, agent });
};

describe('probeRedfish against the simulator', () => {
  it('reads the public service root over HTTPS without trusting the certificate', async () => {
    const d = fleet.devices[1]!;
    const r = await probeRedfish({ host: d.address, port: d.port }, { timeoutMs: 5000, agent });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.url).toBe(d.url);
    expect(r.serviceRoot.UUID).toBe(d.uuid);
    expect(looksLikeServiceRoot(r.serviceRoot)).toBe(true);
    expect(agent.openSockets).toBe(0);
    expect(agent.inFlight).toBe(0);
  });

  it('reports a closed port as refused and an http probe of a TLS port as a failure, without throwing', async () => {
    const d = fleet.devices[1]!;
    expect(await probeRedfish({ host: '127.162.5.200', port: 8443 }, { timeoutMs: 3000, agent })).toMatchObject({ ok: false, reason: 'refused' });
    const plain = await probeRedfish({ host: d.address, port: d.port, scheme: 'http' }, { timeoutMs: 3000, agent });
    expect(plain.ok).toBe(false);
    const tlsToHttp = await probeRedfish({ host: HTTP_HOST, port: httpPort }, { timeoutMs: 3000, agent });
    expect(tlsToHttp).toMatchObject({ ok: false, reason: 'tls' });
  });

  it('follows one http→https 301 on the same host, and no other redirect', async () => {
    const d = fleet.devices[0]!;
    const up = await viaHttp('upgrade');
    expect(up).toMatchObject({ ok: true, url: d.url });
    expect(await viaHttp('other-host')).toMatchObject({ ok: false, reason: 'redirect', status: 308 });
    expect(await viaHttp('found')).toMatchObject({ ok: false, reason: 'redirect', status: 302 });
  });

  it('tells HTTP errors and JSON that is not a service root apart', async () => {
    expect(await viaHttp('unauthorized')).toMatchObject({ ok: false, reason: 'http-status', status: 401 });
    expect(await viaHttp('json')).toMatchObject({ ok: false, reason: 'not-redfish' });
    expect(await viaHttp('huge')).toMatchObject({ ok: false, reason: 'not-redfish' });
  });

  it('gives up on a hung BMC at the deadline and closes its half-open connection', async () => {
    const d = fleet.devices[2]!;
    fleet.inject(d.id, { kind: 'bmc-hang' });
    try {
      const r = await probeRedfish({ host: d.address, port: d.port }, { timeoutMs: 300, agent });
      expect(r).toMatchObject({ ok: false, reason: 'timeout' });
      expect(agent.openSockets).toBe(0);
      expect(agent.inFlight).toBe(0);
    } finally {
      fleet.clearFaults(d.id);
    }
  });

  it('reports a malformed service root as not Redfish', async () => {
    const d = fleet.devices[2]!;
    fleet.inject(d.id, { kind: 'malformed-json' });
    try {
      expect(await probeRedfish({ host: d.address, port: d.port }, { timeoutMs: 3000, agent })).toMatchObject({ ok: false, reason: 'not-redfish' });
    } finally {
      fleet.clearFaults(d.id);
    }
  });

  it('answers aborted when the caller cancels', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await probeRedfish({ host: '127.162.5.1', port: 8443 }, { timeoutMs: 3000, agent, signal: ac.signal })).toMatchObject({ ok: false, reason: 'aborted' });
  });

  it('recognises a service root by @odata.id or RedfishVersion only', () => {
    expect(looksLikeServiceRoot({ '@odata.id': '/redfish/v1/' })).toBe(true);
    expect(looksLikeServiceRoot({ RedfishVersion: '1.17.0' })).toBe(true);
    expect(looksLikeServiceRoot({ '@odata.id': '/redfish/v1/Systems' })).toBe(false);
    expect(looksLikeServiceRoot([{ RedfishVersion: '1.0.0' }])).toBe(false);
    expect(looksLikeServiceRoot(null)).toBe(false);
  });
});
