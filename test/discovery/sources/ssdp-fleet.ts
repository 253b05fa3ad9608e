/** Generated simulator devices on 127.161.0.0/16, shared by the SSDP tests and the fleet responder process. */
import type { SsdpDevice } from '../../../mock-hardware/src/discovery/ssdp.js';

/** Device `i`: address 127.161.x.y (x.y from i + 256), a UUID ending in i, Redfish on 8443. */
export function fleetDevice(i: number, extra: Partial<SsdpDevice> = {}): SsdpDevice {
  const n = i + 256; // skip 127.161.0.x, which the tests use for their own sockets
  const address = `127.161.${Math.floor(n / 256) % 256}.${n % 256}`;
  return {
    id: `dev-${i}`,
    persona: 'bluefield3',
    serviceRootUrl: `https://${address}:8443/redfish/v1`,
    uuid: `5e0a1000-aaaa-4bbb-8ccc-${i.toString(16).padStart(12, '0')}`,
    address,
    port: 8443,
    serial: `SN${i}`,
    hostname: `dev-${i}.sim.test`,
    ...extra,
  };
}
