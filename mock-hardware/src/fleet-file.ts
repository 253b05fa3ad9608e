import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseFault } from './core/faults.js';
import type { DeviceGroup, FleetSpec, ScheduledFault } from './fleet.js';

/**
 * Reads a fleet YAML file. Relative `mockup` paths resolve against the file's folder.
 *
 * ```yaml
 * seed: 42
 * timeScale: 60
 * baseAddress: 127.1.0.1
 * port: 8443
 * controlPort: 9900
 * devices:
 *   - persona: openbmc-host
 *     count: 2
 *     dpusPerHost: 2
 *   - persona: bluefield3
 *     count: 10
 *     options: { requireSignature: true }
 *   - persona: dmtf-mockup
 *     options: { mockup: ../shared/mockups/public-smartnic }
 * faults:
 *   - { atMs: 60000, device: bf3-0001, fault: { kind: dpu-kernel-panic } }
 * ```
 */
export function loadFleetFile(path: string): FleetSpec & { controlPort?: number } {
  const doc = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if (!doc || !Array.isArray(doc.devices)) throw new Error(`${path}: a fleet file needs a "devices" list`);
  const base = dirname(resolve(path));
  const devices = (doc.devices as DeviceGroup[]).map((g) => {
    if (typeof g.persona !== 'string') throw new Error(`${path}: every device group needs a persona`);
    const o = { ...(g.options ?? {}) };
    if (typeof o.mockup === 'string' && !isAbsolute(o.mockup)) o.mockup = resolve(base, o.mockup);
    return { ...g, options: o };
  });
  const faults = ((doc.faults ?? []) as ScheduledFault[]).map((f) => {
    if (typeof f.atMs !== 'number' || typeof f.device !== 'string') throw new Error(`${path}: each fault needs atMs and device`);
    return { atMs: f.atMs, device: f.device, fault: parseFault(f.fault) };
  });
  const spec: FleetSpec & { controlPort?: number } = { devices, faults };
  if (doc.seed !== undefined) spec.seed = doc.seed as string | number;
  if (typeof doc.timeScale === 'number') spec.timeScale = doc.timeScale;
  if (typeof doc.baseAddress === 'string') spec.baseAddress = doc.baseAddress;
  if (typeof doc.port === 'number') spec.port = doc.port;
  if (doc.addressing === 'port' || doc.addressing === 'address') spec.addressing = doc.addressing;
  if (typeof doc.controlPort === 'number') spec.controlPort = doc.controlPort;
  if (doc.certificates === 'ca' || doc.certificates === 'self-signed') spec.certificates = doc.certificates;
  if (typeof doc.ipmiPort === 'number') spec.ipmiPort = doc.ipmiPort;
  if (typeof doc.ipmiStateDir === 'string') spec.ipmiStateDir = resolve(base, doc.ipmiStateDir);
  if (typeof doc.snmpPort === 'number') spec.snmpPort = doc.snmpPort;
  if (typeof doc.snmpStateDir === 'string') spec.snmpStateDir = resolve(base, doc.snmpStateDir);
  return spec;
}
