import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRedfish } from '../../test/support/redfish-schema.js';
import { sharedDir } from '../../test/support/shared-dir.js';
import { startFleet, type Fleet } from '../src/index.js';
import { crawl, get, rf } from './helpers.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet({
    seed: 'schema',
    timeScale: 0,
    baseAddress: '127.20.0.1',
    devices: [
      { persona: 'openbmc-host', dpusPerHost: 1 },
      { persona: 'dmtf-mockup', options: { mockup: `${sharedDir()}/mockups/public-smartnic` } },
    ],
  });
  // Exercise the dynamic resources so the crawl sees them: a session, a subscription, a task, log and dump entries.
  for (const d of fleet.devices) {
    await rf(d, 'POST', '/redfish/v1/SessionService/Sessions', { UserName: d.credentials.user, Password: d.credentials.password }, { auth: false });
    await rf(d, 'POST', '/redfish/v1/EventService/Subscriptions', { Destination: 'https://127.0.0.1:1/events', Protocol: 'Redfish', Context: 'crawl' });
  }
  const bf = fleet.devices.find((d) => d.persona === 'bluefield3')!;
  const host = fleet.devices.find((d) => d.persona === 'openbmc-host')!;
  fleet.inject(bf.id, { kind: 'dpu-kernel-panic' });
  fleet.inject(host.id, { kind: 'pcie-uncorrectable' });
  await rf(bf, 'POST', '/redfish/v1/Managers/Bluefield_BMC/LogServices/Dump/Actions/LogService.CollectDiagnosticData', { DiagnosticDataType: 'Manager' });
  await rf(host, 'POST', '/redfish/v1/Systems/system/Actions/ComputerSystem.Reset', { ResetType: 'ForceRestart' });
  fleet.clock.advance(120_000);
  await rf(bf, 'POST', '/redfish/v1/Systems/Bluefield/LogServices/Dump/Actions/LogService.CollectDiagnosticData', { DiagnosticDataType: 'OEM', OEMDiagnosticDataType: 'ArmOsCrashDump' });
});

afterAll(async () => fleet?.stop());

describe.each(['bluefield3', 'openbmc-host', 'dmtf-mockup'])('every payload of %s validates against the DMTF schemas', (persona) => {
  it('crawls and validates', async () => {
    const d = fleet.devices.find((x) => x.persona === persona)!;
    const all = await crawl(d);
    expect(all.size).toBeGreaterThan(persona === 'dmtf-mockup' ? 100 : 25);
    const failures: string[] = [];
    for (const [path, body] of all) {
      const r = validateRedfish(body);
      if (!r.valid) failures.push(`${path} (${body['@odata.type']}): ${r.errors.slice(0, 4).join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('references every served namespace in $metadata', async () => {
    const d = fleet.devices.find((x) => x.persona === persona)!;
    const md = (await rf(d, 'GET', '/redfish/v1/$metadata', undefined, { auth: false })).text;
    const included = new Set([...md.matchAll(/Namespace="([^"]+)"/g)].map((m) => m[1]));
    const missing = new Set<string>();
    for (const body of (await crawl(d)).values()) {
      const t = String(body['@odata.type']).slice(1);
      const ns = t.slice(0, t.lastIndexOf('.'));
      if (!included.has(ns)) missing.add(ns);
    }
    expect([...missing]).toEqual([]);
  });

  it('serves $metadata, odata and error bodies the way DSP0266 says', async () => {
    const d = fleet.devices.find((x) => x.persona === persona)!;
    const md = await rf(d, 'GET', '/redfish/v1/$metadata', undefined, { auth: false });
    expect(md.status).toBe(200);
    expect(md.headers['content-type']).toContain('application/xml');
    expect(md.text).toContain('ServiceRoot_v1.xml');
    expect((await rf(d, 'GET', '/redfish/v1/odata', undefined, { auth: false })).status).toBe(200);
    const nf = await get(d, '/redfish/v1/Nope');
    expect(nf.status).toBe(404);
    expect(nf.body.error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.22.ResourceMissingAtURI');
    expect(nf.headers['odata-version']).toBe('4.0');
  });
});
