/**
 * Text of the files Debian's `snmpd` reads for one simulated SNMP-only device: `snmpd.conf`, the ENTITY-MIB table
 * (`entity.tsv`) and the `pass_persist` script that serves it. Kept apart from process handling so that the files can be
 * generated, inspected and tested without snmpd.
 */

/** `entPhysicalClass` values (RFC 6933 PhysicalClass). */
export const EntityClass = {
  other: 1,
  unknown: 2,
  chassis: 3,
  backplane: 4,
  container: 5,
  powerSupply: 6,
  fan: 7,
  sensor: 8,
  module: 9,
  port: 10,
  stack: 11,
  cpu: 12,
  energyObject: 13,
  battery: 14,
  storageDrive: 15,
} as const;

/** One row of `entPhysicalTable` (1.3.6.1.2.1.47.1.1.1.1), indexed by `entPhysicalIndex`. */
export interface EntityRow {
  /** entPhysicalIndex, 1..2147483647. */
  index: number;
  /** .2 entPhysicalDescr */
  descr: string;
  /** .3 entPhysicalVendorType (an OID); `0.0` (zeroDotZero) when absent, as RFC 6933 says for "unknown". */
  vendorType?: string;
  /** .4 entPhysicalContainedIn: index of the containing entity, 0 for the top. */
  containedIn: number;
  /** .5 entPhysicalClass, see {@link EntityClass}. */
  class: number;
  /** .6 entPhysicalParentRelPos; -1 when not applicable (the default). */
  parentRelPos?: number;
  /** .7 entPhysicalName */
  name: string;
  /** .8 .9 .10 hardware, firmware and software revisions; empty when not applicable. */
  hardwareRev?: string;
  firmwareRev?: string;
  softwareRev?: string;
  /** .11 entPhysicalSerialNum */
  serial?: string;
  /** .12 entPhysicalMfgName */
  mfgName?: string;
  /** .13 entPhysicalModelName */
  modelName?: string;
  /** .16 entPhysicalIsFRU (TruthValue). Default false. */
  isFru?: boolean;
}

/** Base OID of entPhysicalEntry. */
export const ENT_PHYSICAL_ENTRY = '1.3.6.1.2.1.47.1.1.1.1';
/** The subtree snmpd hands to the pass_persist script: all of ENTITY-MIB. */
export const ENTITY_MIB = '1.3.6.1.2.1.47';
/** RFC 5612's enterprise number for documentation: the device's vendor OIDs live under it. */
export const EXAMPLE_ENTERPRISE = '1.3.6.1.4.1.32473';

/** Identity the default entity tree is built from. */
export interface EntityFacts {
  serial: string;
  vendor: string;
  model: string;
  firmware: string;
  /** Firmware of the card's management controller. */
  bmcFirmware: string;
}

/**
 * A SmartNIC as ENTITY-MIB describes it: the card (chassis) holding a main board (module) with an Arm CPU, a
 * management controller with its own firmware, two network ports and two temperature sensors. The CPU sensor sits in
 * the CPU, so containment is more than one level deep.
 */
export function defaultEntities(f: EntityFacts): EntityRow[] {
  const vt = (n: number): string => `${EXAMPLE_ENTERPRISE}.3.${n}`;
  const board = { containedIn: 2, mfgName: f.vendor };
  return [
    { index: 1, descr: `${f.vendor} ${f.model}`, vendorType: vt(1), containedIn: 0, class: EntityClass.chassis, name: 'Card', hardwareRev: 'A1', firmwareRev: f.firmware, serial: f.serial, mfgName: f.vendor, modelName: f.model, isFru: true },
    { index: 2, descr: 'Main board', vendorType: vt(2), containedIn: 1, parentRelPos: 1, class: EntityClass.module, name: 'Board', hardwareRev: 'B2', serial: `MB${f.serial}`, mfgName: f.vendor, modelName: `${f.model} main board` },
    { index: 3, descr: 'Arm Cortex-A78AE 16-core 3.0 GHz', vendorType: vt(3), ...board, parentRelPos: 1, class: EntityClass.cpu, name: 'CPU 0', hardwareRev: 'r0p1', mfgName: 'Arm', modelName: 'Cortex-A78AE' },
    { index: 4, descr: 'Management controller', vendorType: vt(4), ...board, parentRelPos: 2, class: EntityClass.module, name: 'BMC', firmwareRev: f.bmcFirmware, modelName: 'AST2600' },
    { index: 5, descr: '100GbE QSFP56 port 0', vendorType: vt(5), ...board, parentRelPos: 3, class: EntityClass.port, name: 'p0' },
    { index: 6, descr: '100GbE QSFP56 port 1', vendorType: vt(5), ...board, parentRelPos: 4, class: EntityClass.port, name: 'p1' },
    { index: 7, descr: 'Board inlet temperature sensor', vendorType: vt(6), ...board, parentRelPos: 5, class: EntityClass.sensor, name: 'Inlet Temp' },
    { index: 8, descr: 'CPU temperature sensor', vendorType: vt(6), containedIn: 3, parentRelPos: 1, class: EntityClass.sensor, name: 'CPU Temp', mfgName: 'Arm' },
  ];
}

type PassType = 'string' | 'integer' | 'objectid';

/** snmpd's pass protocol is line based; a tab or newline inside a value would break the table or the reply. */
const flat = (s: string): string => s.replace(/[\t\r\n]+/g, ' ');

const normOid = (oid: string): string => `.${oid.replace(/^\./, '')}`;

/**
 * The table the pass_persist script serves: `OID<TAB>TYPE<TAB>VALUE` lines, in SNMP (numeric, lexicographic) order, so
 * that GETNEXT is "the first line after the request". Columns come in column-major order, as in any SNMP table.
 */
export function entityTable(rows: readonly EntityRow[]): string {
  const sorted = [...rows].sort((a, b) => a.index - b.index);
  for (const r of sorted) {
    if (!Number.isInteger(r.index) || r.index < 1 || r.index > 2147483647) throw new Error(`snmp-agent: bad entPhysicalIndex ${r.index}`);
  }
  if (new Set(sorted.map((r) => r.index)).size !== sorted.length) throw new Error('snmp-agent: duplicate entPhysicalIndex');
  const columns: [number, PassType, (r: EntityRow) => string | number][] = [
    [2, 'string', (r) => r.descr],
    [3, 'objectid', (r) => normOid(r.vendorType ?? '0.0')],
    [4, 'integer', (r) => r.containedIn],
    [5, 'integer', (r) => r.class],
    [6, 'integer', (r) => r.parentRelPos ?? -1],
    [7, 'string', (r) => r.name],
    [8, 'string', (r) => r.hardwareRev ?? ''],
    [9, 'string', (r) => r.firmwareRev ?? ''],
    [10, 'string', (r) => r.softwareRev ?? ''],
    [11, 'string', (r) => r.serial ?? ''],
    [12, 'string', (r) => r.mfgName ?? ''],
    [13, 'string', (r) => r.modelName ?? ''],
    [16, 'integer', (r) => (r.isFru ? 1 : 2)],
  ];
  const lines: string[] = [];
  for (const [col, type, get] of columns) {
    for (const r of sorted) lines.push(`.${ENT_PHYSICAL_ENTRY}.${col}.${r.index}\t${type}\t${flat(String(get(r)))}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * The `pass_persist` script. snmpd starts it once and talks to it over stdin/stdout: `PING` → `PONG`;
 * `get`/`getnext` and an OID → three lines (OID, type, value) or `NONE`; `set` → `not-writable`. One awk process
 * answers every request (a plain `pass` script would fork twice per OID: a 100-OID walk took over a second) and
 * re-reads the table on each request, so a new table written by the persona is served at once. awk compares OIDs
 * arc by arc as numbers, because string order puts .10 before .2. mawk, Debian's awk, buffers a pipe until it is
 * full unless told `-W interactive`; gawk and busybox awk read line by line anyway.
 */
export function persistScript(): string {
  return `#!/bin/sh
# ENTITY-MIB pass_persist hook for snmpd, generated by mock-hardware (snmp-agent persona).
if command -v mawk >/dev/null 2>&1; then set -- mawk -W interactive; else set -- awk; fi
exec "$@" -v data="$(dirname "$0")/entity.tsv" '
function cmp(a, b,   x, y, n, m, i) {
  n = split(a, x, "."); m = split(b, y, ".")
  for (i = 2; i <= n && i <= m; i++) {
    if (x[i] + 0 < y[i] + 0) return -1
    if (x[i] + 0 > y[i] + 0) return 1
  }
  return n - m
}
function answer(mode, req,   line, f, found) {
  found = 0
  while ((getline line < data) > 0) {
    split(line, f, "\t")
    if ((mode == "get" && f[1] == req) || (mode == "getnext" && cmp(f[1], req) > 0)) {
      print f[1]; print f[2]; print f[3]; found = 1; break
    }
  }
  close(data)
  if (!found) print "NONE"
}
$0 == "PING" { print "PONG"; fflush(); next }
$0 == "get" || $0 == "getnext" { mode = $0; if ((getline req) <= 0) exit; answer(mode, req); fflush(); next }
$0 == "set" { getline; getline; print "not-writable"; fflush(); next }
$0 == "" { exit }
'
`;
}

/** SNMPv3 USM algorithms the persona configures (net-snmp 5.9 names). */
export type AuthAlgorithm = 'MD5' | 'SHA' | 'SHA-256' | 'SHA-512';
export type PrivAlgorithm = 'AES' | 'DES';

/** What `snmpd.conf` needs to know about the device. */
export interface SnmpdConfig {
  address: string;
  port: number;
  community: string;
  v3User: string;
  authKey: string;
  privKey: string;
  authProtocol: AuthAlgorithm;
  privProtocol: PrivAlgorithm;
  /** SNMPv3 engine id text; unique per device, as RFC 3411 asks. */
  engineId: string;
  sysName: string;
  sysDescr: string;
  sysObjectId: string;
  sysContact: string;
  sysLocation: string;
  /** Absolute path of the pass_persist script. */
  persistScript: string;
}

/** snmpd.conf tokens have no escapes: whitespace, quotes or `#` would silently change a line's meaning. */
export function assertToken(what: string, value: string): void {
  if (value.length === 0 || /["'\s\\#]/.test(value)) {
    throw new Error(`snmp-agent: ${what} must be non-empty and contain no quotes, backslashes, '#' or whitespace`);
  }
}

/** Free-text values (sysDescr...) take the rest of a line: a newline would start a new directive. */
function assertLine(what: string, value: string): void {
  if (/[\r\n]/.test(value) || value.trim().length === 0) throw new Error(`snmp-agent: ${what} must be one non-empty line`);
}

/** USM passphrases are quoted in createUser; net-snmp refuses ones shorter than 8 characters. */
function assertKey(what: string, value: string): void {
  if (value.length < 8 || /["\\\r\n]/.test(value)) throw new Error(`snmp-agent: ${what} must be at least 8 characters, without quotes or backslashes`);
}

/**
 * `snmpd.conf`: one UDP endpoint, a read-only v2c community and a v3 authPriv user, both limited to a view of the
 * system group and ENTITY-MIB (so the device does not show the CI host's interfaces and processes), the system group
 * values, and the `pass_persist` hook for ENTITY-MIB, which net-snmp's snmpd does not implement itself.
 */
export function snmpdConf(c: SnmpdConfig): string {
  assertToken('community', c.community);
  assertToken('v3 user', c.v3User);
  assertToken('engine id', c.engineId);
  assertToken('pass_persist script path', c.persistScript);
  assertToken('sysObjectID', c.sysObjectId);
  assertKey('authKey', c.authKey);
  assertKey('privKey', c.privKey);
  for (const [what, v] of [['sysName', c.sysName], ['sysDescr', c.sysDescr], ['sysContact', c.sysContact], ['sysLocation', c.sysLocation]] as const) assertLine(what, v);
  return [
    '# snmpd.conf generated by mock-hardware (snmp-agent persona)',
    `agentAddress udp:${c.address}:${c.port}`,
    `engineID ${c.engineId}`,
    // snmpd logs every request otherwise ("Connection from UDP: ...").
    'dontLogTCPWrappersConnects yes',
    'view device included .1.3.6.1.2.1.1',
    `view device included .${ENTITY_MIB}`,
    `rocommunity ${c.community} default -V device`,
    `rouser ${c.v3User} authpriv -V device`,
    `createUser ${c.v3User} ${c.authProtocol} "${c.authKey}" ${c.privProtocol} "${c.privKey}"`,
    `sysName ${c.sysName}`,
    `sysDescr ${c.sysDescr}`,
    `sysObjectID .${c.sysObjectId.replace(/^\./, '')}`,
    `sysContact ${c.sysContact}`,
    `sysLocation ${c.sysLocation}`,
    // Run through sh so that a state directory on a noexec mount still works.
    `pass_persist .${ENTITY_MIB} /bin/sh ${c.persistScript}`,
    '',
  ].join('\n');
}
