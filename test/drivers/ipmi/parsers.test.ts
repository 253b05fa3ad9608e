// Parser tests on real ipmitool 1.8.19 output, captured from the ipmi-legacy persona (Debian ipmi_sim); see
// fixtures/README.md for how. Hand-written samples are marked as such where ipmi_sim cannot produce a shape.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootdevArgs, parseBootFlags, parseChassisStatus, parsePowerStatus, POWER_OPS } from '../../../src/drivers/ipmi/chassis.js';
import { parseFru } from '../../../src/drivers/ipmi/fru.js';
import { parseGuid, parseMcInfo } from '../../../src/drivers/ipmi/mc.js';
import { parseSensors } from '../../../src/drivers/ipmi/sdr.js';
import { parseSel, parseSelInfo, selSeverity, selTime } from '../../../src/drivers/ipmi/sel.js';
import { keyValues } from '../../../src/drivers/ipmi/text.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const chassis = { kind: 'Chassis' as const, id: 'chassis' };

describe('fru print 0', () => {
  it('maps product, chassis and board areas onto identities', () => {
    const { value, unmapped } = parseFru(fixture('fru-print-0.txt'));
    expect(unmapped).toEqual([]);
    expect(value.system).toEqual({ manufacturer: 'Contoso', model: 'Legacy 1U Server', serialNumber: 'LEG-CAP-0001', partNumber: 'PN-4711' });
    expect(value.chassis).toEqual({ manufacturer: 'Contoso', model: 'Legacy 1U Server', serialNumber: 'LEG-CAP-0001', partNumber: 'PN-4711' });
    expect(value.chassisType).toBe('RackMount');
    expect(value.fields['Board Mfg Date']).toBe('Mon Jan  1 00:00:00 2024 UTC');
  });

  it('prefers the chassis serial for the chassis and skips placeholder values (hand-written sample)', () => {
    const text = [
      ' Chassis Type          : Tower',
      ' Chassis Serial        : CH-1',
      ' Board Mfg             : Board Co',
      ' Board Serial          : To Be Filled By O.E.M.',
      ' Product Serial        : PR-1',
      ' Weird line without a colon',
    ].join('\n');
    const { value, unmapped } = parseFru(text);
    expect(value.chassis.serialNumber).toBe('CH-1');
    expect(value.system.serialNumber).toBe('PR-1');
    expect(value.system.manufacturer).toBe('Board Co');
    expect(value.chassisType).toBe('StandAlone');
    expect(unmapped).toHaveLength(1);
  });

  it('reads only the first device of a full `fru print`, and notes output without fields', () => {
    const all = `${fixture('fru-print-0.txt').replace(/^/, 'FRU Device Description : Builtin FRU Device (ID 0)\n')}\nFRU Device Description : PSU (ID 1)\n Product Serial : PSU-9\n`;
    expect(parseFru(all).value.system.serialNumber).toBe('LEG-CAP-0001');
    expect(parseFru('').unmapped[0]?.reason).toMatch(/no FRU fields/);
  });

  it('maps an unknown chassis type to Other with a note', () => {
    const { value, unmapped } = parseFru(' Chassis Type : Hovercraft\n');
    expect(value.chassisType).toBe('Other');
    expect(unmapped[0]?.path).toBe('Chassis Type');
  });
});

describe('mc info and mc guid', () => {
  it('reads firmware, manufacturer and device support, ignoring "Unknown" product names', () => {
    const { value, unmapped } = parseMcInfo(fixture('mc-info.txt'));
    expect(unmapped).toEqual([]);
    expect(value).toMatchObject({ firmwareVersion: '9.08', ipmiVersion: '2.0', manufacturer: 'MontaVista Software, Inc.', manufacturerId: 4753, productId: 3842 });
    expect(value.product).toBeUndefined();
    expect(value.supports).toContain('SEL Device');
    expect(value.supports).toContain('Chassis Device');
  });

  it('decodes a bare GUID dump in SMBIOS byte order', () => {
    // The persona configured 6c6b1ba2c0b19d8c20a3ab68940335a7; `ipmitool mc guid smbios` prints the same UUID.
    expect(parseGuid(fixture('mc-guid.txt'))).toEqual({ value: 'a21b6b6c-b1c0-8c9d-20a3-ab68940335a7', unmapped: [] });
  });

  it('takes a decoded GUID as printed, and refuses placeholders and junk (hand-written samples)', () => {
    const decoded = 'System GUID  : 4C4C4544-0054-3510-8052-B4C04F4A4B32\nTimestamp    : 01/01/1970 00:00:00\n';
    expect(parseGuid(decoded).value).toBe('4c4c4544-0054-3510-8052-b4c04f4a4b32');
    expect(parseGuid('System GUID  : 00000000000000000000000000000000\n').value).toBeUndefined();
    expect(parseGuid('nothing').unmapped).toHaveLength(1);
  });
});

describe('sensor list and sdr list', () => {
  it('maps threshold sensors with units, readings, thresholds and health', () => {
    const { value, unmapped } = parseSensors(fixture('sensor-list.txt'), chassis);
    expect(unmapped).toEqual([]);
    expect(value.map((s) => s.id)).toEqual(['InletTemp', 'CPUTemp', 'FAN1']);
    expect(value[0]).toMatchObject({
      kind: 'Sensor',
      name: 'Inlet Temp',
      parent: chassis,
      status: { state: 'Enabled', health: 'OK' },
      properties: {
        Reading: 24,
        ReadingUnits: 'Cel',
        ReadingType: 'Temperature',
        Thresholds: { UpperCaution: { Reading: 40 }, UpperCritical: { Reading: 45 }, UpperFatal: { Reading: 50 } },
      },
    });
    expect(value[2]?.properties).toEqual({
      Reading: 5500,
      ReadingUnits: 'RPM',
      ReadingType: 'Rotational',
      Thresholds: { LowerFatal: { Reading: 200 }, LowerCritical: { Reading: 500 }, LowerCaution: { Reading: 1000 } },
    });
  });

  it('reports crossed thresholds as Critical health', () => {
    const { value } = parseSensors(fixture('sensor-list-alarm.txt'), chassis);
    expect(value.map((s) => s.status?.health)).toEqual(['OK', 'Critical', 'Critical']);
    expect(value[1]?.properties.Reading).toBe(97);
  });

  it('reads the three-column sdr list as a fallback', () => {
    const { value, unmapped } = parseSensors(fixture('sdr-list-alarm.txt'), chassis);
    expect(unmapped).toEqual([]);
    expect(value.map((s) => [s.id, s.properties.Reading, s.properties.ReadingUnits, s.status?.health])).toEqual([
      ['InletTemp', 24, 'Cel', 'OK'],
      ['CPUTemp', 97, 'Cel', 'Critical'],
      ['FAN1', 150, 'RPM', 'Critical'],
    ]);
  });

  it('puts discrete sensors and odd lines into unmapped and converts Fahrenheit (hand-written sample)', () => {
    const text = [
      'PS1 Status       | 0x0        | discrete   | 0x0180| na        | na        | na        | na        | na        | na        ',
      'Ambient          | 77.000     | degrees F  | nc    | na        | na        | na        | 86.000    | 95.000    | na        ',
      'CPU2 Temp        | na         | degrees C  | na    | na        | na        | na        | 85.000    | 90.000    | 95.000    ',
      'garbage',
    ].join('\n');
    const { value, unmapped } = parseSensors(text, chassis);
    expect(value.map((s) => s.id)).toEqual(['Ambient', 'CPU2Temp']);
    expect(value[0]?.properties).toMatchObject({ Reading: 25, ReadingUnits: 'Cel', Thresholds: { UpperCaution: { Reading: 30 }, UpperCritical: { Reading: 35 } } });
    expect(value[0]?.status?.health).toBe('Warning');
    expect(value[1]?.status).toEqual({ state: 'Absent' });
    expect(value[1]?.properties.Reading).toBeUndefined();
    expect(unmapped.map((n) => n.path ?? n.reason)).toEqual(['PS1 Status', 'unrecognised sensor line: garbage']);
  });

  it('keeps ids unique when names collide after slugging', () => {
    const line = (n: string) => `${n} | 1.000 | Volts | ok | na | na | na | na | na | na`;
    const { value } = parseSensors([line('P1 V'), line('P1-V')].join('\n'), chassis);
    expect(value.map((s) => s.id)).toEqual(['P1V', 'P1V_2']);
  });
});

describe('sel elist', () => {
  it('turns records into SEL log records with severities and hex ids as decimal', () => {
    const { value, unmapped } = parseSel(fixture('sel-elist-long.txt'));
    expect(unmapped).toEqual([]);
    expect(value).toHaveLength(28);
    expect(value[0]).toEqual({
      id: '1',
      severity: 'OK',
      message: 'Power Unit #0x01: Power off/down (Asserted)',
      messageArgs: ['Power Unit #0x01', 'Power off/down', 'Asserted'],
      entryType: 'SEL',
      log: 'SEL',
      source: 'sel',
    });
    expect(value[2]?.severity).toBe('Warning'); // Correctable ECC
    expect(value[3]).toMatchObject({ severity: 'Critical', message: 'Temperature CPU Temp: Upper Critical going high (Asserted). Reading 95 > Threshold 90 degrees C' });
    expect(value[4]?.severity).toBe('Warning'); // Upper Non-critical
    expect(value[7]?.severity).toBe('OK'); // deasserted
    expect(value[27]?.id).toBe(String(0x1c));
    // ipmi_sim's clock is never set: every record is Pre-Init and gets no wall-clock time.
    expect(value.every((r) => r.created === undefined)).toBe(true);
  });

  it('reads sel list (no sensor names) the same way', () => {
    const { value } = parseSel(fixture('sel-list.txt'));
    expect(value).toHaveLength(16);
    expect(value[3]?.message).toBe('Temperature #0x31: Upper Critical going high (Asserted)');
  });

  it('reads wall-clock times once the SEL clock is set (`sel time set now`), printed with TZ=UTC', () => {
    const { value, unmapped } = parseSel(fixture('sel-elist-timed.txt'));
    expect(unmapped).toEqual([]);
    expect(value.map((r) => r.created)).toEqual([undefined, undefined, undefined, ...Array(3).fill('2026-11-21T11:46:03.000Z'), ...Array(3).fill('2026-11-21T11:46:05.000Z')]);
    expect(value[3]).toMatchObject({ id: String(0x1d), severity: 'Warning' });
  });

  it('parses real timestamps as UTC and skips chatter (hand-written sample in ipmitool format)', () => {
    const text = ['   1 | 12/17/2019 | 02:57:25 | Event Logging Disabled #0x72 | Log area reset/cleared | Asserted', 'SEL has no entries', '  2 | 02/06/20 | 18:30:50 UTC | Power Supply #0xfb | Power Supply AC lost | Asserted', 'what'].join('\n');
    const { value, unmapped } = parseSel(text);
    expect(value.map((r) => [r.created, r.severity])).toEqual([
      ['2019-12-17T02:57:25.000Z', 'OK'],
      ['2020-02-06T18:30:50.000Z', 'Critical'],
    ]);
    expect(unmapped).toHaveLength(1);
    expect(selTime('Pre-Init', '0000003161')).toBeUndefined();
    expect(selSeverity('Lower Non-recoverable going low', 'Asserted')).toBe('Critical');
  });

  it('reads sel info', () => {
    expect(parseSelInfo(fixture('sel-info.txt'))).toEqual({ value: { entries: 16, percentUsed: 1, overflow: false }, unmapped: [] });
    expect(parseSelInfo(fixture('sel-info-timed.txt')).value).toEqual({ entries: 34, percentUsed: 3, overflow: false });
  });
});

describe('chassis', () => {
  it('reads power status', () => {
    expect(parsePowerStatus(fixture('chassis-power-status-on.txt'))).toBe('On');
    expect(parsePowerStatus(fixture('chassis-power-status-off.txt'))).toBe('Off');
    expect(parsePowerStatus('huh')).toBeUndefined();
  });

  it('reads chassis status: power, faults, last power event', () => {
    expect(parseChassisStatus(fixture('chassis-status-on.txt'))).toEqual({ value: { powerState: 'On', health: 'OK', faults: [] }, unmapped: [] });
    expect(parseChassisStatus(fixture('chassis-status-off.txt')).value.powerState).toBe('Off');
    const faulty = fixture('chassis-status-on.txt').replace('Main Power Fault     : false', 'Main Power Fault     : true').replace('Last Power Event     : ', 'Last Power Event     : command');
    expect(parseChassisStatus(faulty).value).toEqual({ powerState: 'On', health: 'Critical', faults: ['Main Power Fault'], lastResetCause: 'ManagementCommand' });
    const fan = fixture('chassis-status-on.txt').replace('Cooling/Fan Fault    : false', 'Cooling/Fan Fault    : true');
    expect(parseChassisStatus(fan).value.health).toBe('Warning');
    expect(parseChassisStatus('nonsense').unmapped.length).toBeGreaterThan(0);
  });

  it('reads boot flags from the data byte, and treats a clear valid bit as Disabled', () => {
    expect(parseBootFlags(fixture('bootparam-5-none.txt')).value).toEqual({ enabled: 'Disabled', target: 'None', mode: 'Legacy', allowableTargets: ['None', 'Pxe', 'Hdd', 'Cd', 'BiosSetup'] });
    // ipmi_sim keeps the device but not the valid or persistent bits ipmitool sent (see the fixture's "Invalid").
    expect(parseBootFlags(fixture('bootparam-5-pxe.txt')).value).toMatchObject({ enabled: 'Disabled', target: 'Pxe' });
    const valid = fixture('bootparam-5-pxe.txt').replace('data: 0004000000', 'data: e014000000');
    expect(parseBootFlags(valid).value).toMatchObject({ enabled: 'Continuous', target: 'Cd', mode: 'UEFI' });
  });

  it('falls back to the text lines without a data line', () => {
    const text = fixture('bootparam-5-pxe.txt').replace(/^Boot parameter data.*\n/m, '').replace('Boot Flag Invalid', 'Boot Flag Valid');
    expect(parseBootFlags(text).value).toMatchObject({ enabled: 'Once', target: 'Pxe', mode: 'Legacy' });
    expect(parseBootFlags('no flags here').unmapped.length).toBe(2);
  });

  it('builds bootdev arguments for Redfish overrides', () => {
    expect(bootdevArgs({ target: 'Pxe', enabled: 'Once' })).toEqual(['chassis', 'bootdev', 'pxe']);
    expect(bootdevArgs({ target: 'Hdd', enabled: 'Continuous', mode: 'UEFI' })).toEqual(['chassis', 'bootdev', 'disk', 'options=persistent,efiboot']);
    expect(bootdevArgs({ target: 'Cd' })).toEqual(['chassis', 'bootdev', 'cdrom']);
    expect(bootdevArgs({ target: 'BiosSetup', enabled: 'Continuous' })).toEqual(['chassis', 'bootdev', 'bios', 'options=persistent']);
    expect(bootdevArgs({ target: 'Pxe', enabled: 'Disabled' })).toEqual(['chassis', 'bootdev', 'none']);
    expect(bootdevArgs({ target: 'None', enabled: 'Once' })).toEqual(['chassis', 'bootdev', 'none']);
    expect(bootdevArgs({ target: 'UefiHttp', enabled: 'Once' })).toMatchObject({ unsupported: expect.stringMatching(/UefiHttp/) });
  });

  it('maps exactly the reset types ipmitool can do', () => {
    expect(POWER_OPS).toEqual({ On: 'on', ForceOff: 'off', GracefulShutdown: 'soft', PowerCycle: 'cycle', ForceRestart: 'reset' });
  });
});

describe('key/value listing', () => {
  it('splits on the first colon and keeps indented items under their key', () => {
    const { entries, other } = keyValues('Last Add Time : S+ 00:52:41\nList :\n    a\n    b\nno colon\n');
    expect(entries).toEqual([
      { key: 'Last Add Time', value: 'S+ 00:52:41', more: [] },
      { key: 'List', value: '', more: ['a', 'b'] },
    ]);
    expect(other).toEqual(['no colon']);
  });
});
