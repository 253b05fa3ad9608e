/**
 * Threshold sensors for the legacy BMC: IPMI 2.0 Full Sensor Records (SDR type 0x01, spec §43.1) that ipmi_sim
 * serves from its SDR repository, plus the `sensor_add` lines that make ipmi_sim read each value from a file.
 * Writing the file changes the reading; crossing a threshold makes ipmi_sim log a SEL event, as a real BMC does.
 */

/** One linear threshold sensor. Readings are raw bytes; value = M * raw (B = 0, no exponents). */
export interface ThresholdSensor {
  /** Sensor number, unique on the BMC. */
  number: number;
  /** ID string shown by `ipmitool sdr list` (max 16 characters). */
  name: string;
  /** Sensor type: 0x01 temperature, 0x02 voltage, 0x04 fan. */
  sensorType: number;
  /** Entity: 0x03 processor, 0x07 system board, 0x1d fan device, 0x37 air inlet. */
  entityId: number;
  /** Base unit (IPMI table 43-15): 0x01 degrees C, 0x04 volts, 0x12 RPM. */
  unit: number;
  /** Multiplier from raw reading to units. */
  m: number;
  /** Raw threshold bytes; omit the ones the sensor does not have. */
  thresholds: {
    lowerNonRecoverable?: number;
    lowerCritical?: number;
    lowerNonCritical?: number;
    upperNonCritical?: number;
    upperCritical?: number;
    upperNonRecoverable?: number;
  };
  /** Raw reading at start. */
  initialRaw: number;
}

/** Sensors of a plain 1U server: inlet and CPU temperature, one fan. */
export function defaultSensors(): ThresholdSensor[] {
  return [
    {
      number: 0x30, name: 'Inlet Temp', sensorType: 0x01, entityId: 0x37, unit: 0x01, m: 1, initialRaw: 24,
      thresholds: { upperNonCritical: 40, upperCritical: 45, upperNonRecoverable: 50 },
    },
    {
      number: 0x31, name: 'CPU Temp', sensorType: 0x01, entityId: 0x03, unit: 0x01, m: 1, initialRaw: 52,
      thresholds: { upperNonCritical: 85, upperCritical: 90, upperNonRecoverable: 95 },
    },
    {
      number: 0x40, name: 'FAN1', sensorType: 0x04, entityId: 0x1d, unit: 0x12, m: 50, initialRaw: 110,
      thresholds: { lowerNonRecoverable: 4, lowerCritical: 10, lowerNonCritical: 20 },
    },
  ];
}

/** Threshold bit order used by the reading/settable masks: LNC, LC, LNR, UNC, UC, UNR. */
const ORDER = [
  'lowerNonCritical',
  'lowerCritical',
  'lowerNonRecoverable',
  'upperNonCritical',
  'upperCritical',
  'upperNonRecoverable',
] as const;

/** Encodes the Full Sensor Record. `recordId` is rewritten by the repository but must be present. */
export function fullSensorRecord(s: ThresholdSensor, recordId: number): number[] {
  const name = Array.from(s.name.slice(0, 16), (c) => c.charCodeAt(0) & 0x7f);
  let readable = 0;
  ORDER.forEach((key, bit) => {
    if (s.thresholds[key] !== undefined) readable |= 1 << bit;
  });
  // Assertion events for the "going low" lower thresholds and "going high" upper ones (table 43-1, bytes 15-18).
  let assertMask = 0;
  if (s.thresholds.lowerNonCritical !== undefined) assertMask |= 1 << 0;
  if (s.thresholds.lowerCritical !== undefined) assertMask |= 1 << 2;
  if (s.thresholds.lowerNonRecoverable !== undefined) assertMask |= 1 << 4;
  if (s.thresholds.upperNonCritical !== undefined) assertMask |= 1 << 7;
  if (s.thresholds.upperCritical !== undefined) assertMask |= 1 << 9;
  if (s.thresholds.upperNonRecoverable !== undefined) assertMask |= 1 << 11;
  const t = (v: number | undefined): number => (v ?? 0) & 0xff;
  const body = [
    0x20, // owner: BMC
    0x00, // owner LUN
    s.number & 0xff,
    s.entityId & 0xff,
    0x01, // entity instance
    0x7f, // initialisation: scanning, events, thresholds, hysteresis, type
    0x68, // capabilities: auto re-arm, readable thresholds, per-threshold event control
    s.sensorType & 0xff,
    0x01, // event/reading type: threshold
    assertMask & 0xff,
    ((assertMask >> 8) & 0x0f) | ((readable & 0x07) << 4), // lower-threshold reading mask in bits 4..6
    assertMask & 0xff, // deassertion mirrors assertion
    ((assertMask >> 8) & 0x0f) | ((readable & 0x38) << 1), // upper-threshold reading mask in bits 4..6
    readable, // settable thresholds
    readable, // readable thresholds
    0x00, // units 1: unsigned, no rate, no percentage
    s.unit & 0xff,
    0x00, // modifier unit
    0x00, // linear
    s.m & 0xff,
    (s.m >> 8) & 0x03,
    0x00, // B
    0x00,
    0x00, // accuracy, direction
    0x00, // R and B exponents
    0x00, // analog flags: no nominal/normal values
    0x00,
    0x00,
    0x00,
    0xff, // sensor maximum
    0x00, // sensor minimum
    t(s.thresholds.upperNonRecoverable),
    t(s.thresholds.upperCritical),
    t(s.thresholds.upperNonCritical),
    t(s.thresholds.lowerNonRecoverable),
    t(s.thresholds.lowerCritical),
    t(s.thresholds.lowerNonCritical),
    0x01, // positive hysteresis
    0x01, // negative hysteresis
    0x00,
    0x00, // reserved
    0x00, // OEM
    0xc0 | name.length,
    ...name,
  ];
  return [recordId & 0xff, (recordId >> 8) & 0xff, 0x51, 0x01, body.length, ...body];
}
