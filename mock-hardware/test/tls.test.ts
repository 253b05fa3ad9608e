import { connect, type PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { startFleet, type FleetDevice } from '../src/index.js';

function peer(d: FleetDevice, ca?: string): Promise<{ cert: PeerCertificate; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: d.address, port: d.port, ...(ca ? { ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: false }) }, () => {
      resolve({ cert: s.getPeerCertificate(), authorized: s.authorized });
      s.end();
    });
    s.on('error', reject);
  });
}

describe('device certificates', () => {
  it('each device has its own certificate for its IP, issued by the fleet CA', async () => {
    const fleet = await startFleet({ seed: 'tls', timeScale: 0, baseAddress: '127.27.0.1', devices: [{ persona: 'bluefield3', count: 2 }] });
    try {
      const [a, b] = fleet.devices as [FleetDevice, FleetDevice];
      const pa = await peer(a, fleet.caCert);
      const pb = await peer(b, fleet.caCert);
      expect(pa.authorized).toBe(true);
      expect(pa.cert.subjectaltname).toContain(`IP Address:${a.address}`);
      expect(pb.cert.subjectaltname).toContain(`IP Address:${b.address}`);
      expect(pa.cert.fingerprint256).not.toBe(pb.cert.fingerprint256);
    } finally {
      await fleet.stop();
    }
  });

  it('can make every device sign its own certificate', async () => {
    const fleet = await startFleet({ seed: 'tls', timeScale: 0, baseAddress: '127.27.1.1', certificates: 'self-signed', devices: [{ persona: 'openbmc-host' }] });
    try {
      const p = await peer(fleet.devices[0]!);
      expect(p.cert.issuer.CN).toBe(p.cert.subject.CN);
      expect(p.cert.subject.CN).toBe(fleet.devices[0]!.hostname);
    } finally {
      await fleet.stop();
    }
  });
});
