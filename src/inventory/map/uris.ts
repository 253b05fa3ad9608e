/**
 * Aggregated URIs. Top-level resources get DSP0266's aggregation ids, `<source>_<device id>`; resources inside them keep
 * the device's own ids. Every id is encoded as one path segment, so an id with `/`, `#` or `..` cannot escape it.
 */

/** The fleet-level collections top-level documents belong to. */
export const FLEET = {
  System: '/redfish/v1/Systems',
  Chassis: '/redfish/v1/Chassis',
  Manager: '/redfish/v1/Managers',
  Firmware: '/redfish/v1/UpdateService/FirmwareInventory',
  Software: '/redfish/v1/UpdateService/SoftwareInventory',
} as const;

/** The kinds of top-level document. */
export type TopKind = keyof typeof FLEET;

/** One path segment for a device id: percent-encoded beyond `encodeURIComponent`, so `.` and `..` stay literal ids. */
export function segment(id: string): string {
  const enc = encodeURIComponent(id).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return enc === '.' || enc === '..' ? enc.replace(/\./g, '%2E') : enc;
}

/** The aggregated `Id` of a top-level resource. */
export const aggregatedId = (source: string, rawId: string) => `${source}_${rawId}`;

/** The URI of a top-level resource of this device. */
export const topUri = (kind: TopKind, source: string, rawId: string) => `${FLEET[kind]}/${segment(aggregatedId(source, rawId))}`;

/** A usable device id: a non-empty string without control characters. */
export const validId = (id: unknown): id is string => typeof id === 'string' && id.length > 0 && !/[\u0000-\u001f]/.test(id);

/** `{ '@odata.id': uri }`. */
export const link = (uri: string) => ({ '@odata.id': uri });

/** Device URI → aggregated URI, for rewriting the links a driver left inside `properties` bags. */
export class UriMap {
  private map = new Map<string, string>();
  private ambiguous = new Set<string>();

  /** Only absolute Redfish paths are mapped; a source shared by two resources (IPMI's `sdr`) maps to neither. */
  add(deviceUri: unknown, uri: string): void {
    if (typeof deviceUri !== 'string' || !deviceUri.startsWith('/redfish/v1/') || this.ambiguous.has(deviceUri)) return;
    const known = this.map.get(deviceUri);
    if (known !== undefined && known !== uri) {
      this.map.delete(deviceUri);
      this.ambiguous.add(deviceUri);
    } else this.map.set(deviceUri, uri);
  }

  /** The aggregated form of a device URI, keeping a `#/...` fragment; undefined when Shoal serves no such resource. */
  translate(deviceUri: string): string | undefined {
    const hash = deviceUri.indexOf('#');
    const base = (hash < 0 ? deviceUri : deviceUri.slice(0, hash)).replace(/\/+$/, '');
    const mapped = this.map.get(base);
    return mapped === undefined ? undefined : mapped + (hash < 0 ? '' : deviceUri.slice(hash));
  }
}
