/**
 * BME280 compensation, from the Bosch datasheet (BST-BME280-DS002): temperature with the
 * 32-bit integer formula of section 4.2.3 (it is what the datasheet's example vector is given
 * for: adc_T 519888 → t_fine 128422 → 25.08 °C), pressure and humidity with the
 * double-precision formulas of section 8.1. Pure functions: the register-level model uses
 * them too, to turn physical values back into ADC counts.
 */
export interface Bme280Calibration {
  T1: number; T2: number; T3: number;
  P1: number; P2: number; P3: number; P4: number; P5: number; P6: number; P7: number; P8: number; P9: number;
  H1: number; H2: number; H3: number; H4: number; H5: number; H6: number;
}

/** Arithmetic shift right without JavaScript's 32-bit truncation of the operand. */
function asr(x: number, n: number): number {
  return Math.floor(x / 2 ** n);
}

/** t_fine, the fine temperature the pressure and humidity formulas take. */
export function bme280TFine(adcT: number, c: Bme280Calibration): number {
  const var1 = asr((asr(adcT, 3) - c.T1 * 2) * c.T2, 11);
  const d = asr(adcT, 4) - c.T1;
  const var2 = asr(asr(d * d, 12) * c.T3, 14);
  return var1 + var2;
}

/** °C from t_fine: the datasheet's (t_fine·5 + 128) >> 8 in hundredths of a degree. */
export function bme280Temperature(tFine: number): number {
  return asr(tFine * 5 + 128, 8) / 100;
}

/** Pa. */
export function bme280Pressure(adcP: number, tFine: number, c: Bme280Calibration): number {
  let var1 = tFine / 2 - 64000;
  let var2 = (var1 * var1 * c.P6) / 32768;
  var2 = var2 + var1 * c.P5 * 2;
  var2 = var2 / 4 + c.P4 * 65536;
  var1 = ((c.P3 * var1 * var1) / 524288 + c.P2 * var1) / 524288;
  var1 = (1 + var1 / 32768) * c.P1;
  if (var1 === 0) return 0; // avoids a division by zero with an unprogrammed calibration
  let p = 1048576 - adcP;
  p = ((p - var2 / 4096) * 6250) / var1;
  var1 = (c.P9 * p * p) / 2147483648;
  var2 = (p * c.P8) / 32768;
  return p + (var1 + var2 + c.P7) / 16;
}

/** %RH, clamped to 0–100 as the datasheet does. */
export function bme280Humidity(adcH: number, tFine: number, c: Bme280Calibration): number {
  let h = tFine - 76800;
  h = (adcH - (c.H4 * 64 + (c.H5 / 16384) * h)) *
    ((c.H2 / 65536) * (1 + (c.H6 / 67108864) * h * (1 + (c.H3 / 67108864) * h)));
  h = h * (1 - (c.H1 * h) / 524288);
  return h > 100 ? 100 : h < 0 ? 0 : h;
}

/**
 * Parses the two calibration blocks: 26 bytes from 0x88 and 7 bytes from 0xE1. Little-endian;
 * H4 and H5 are 12-bit values sharing the nibbles of 0xE5.
 */
export function parseBme280Calibration(a: Uint8Array, b: Uint8Array, into?: Bme280Calibration): Bme280Calibration {
  const u16 = (buf: Uint8Array, i: number): number => buf[i]! | (buf[i + 1]! << 8);
  const s16 = (buf: Uint8Array, i: number): number => (u16(buf, i) << 16) >> 16;
  const s8 = (v: number): number => (v << 24) >> 24;
  const c = into ?? ({} as Bme280Calibration);
  c.T1 = u16(a, 0); c.T2 = s16(a, 2); c.T3 = s16(a, 4);
  c.P1 = u16(a, 6); c.P2 = s16(a, 8); c.P3 = s16(a, 10); c.P4 = s16(a, 12); c.P5 = s16(a, 14);
  c.P6 = s16(a, 16); c.P7 = s16(a, 18); c.P8 = s16(a, 20); c.P9 = s16(a, 22);
  c.H1 = a[25]!;
  c.H2 = s16(b, 0);
  c.H3 = b[2]!;
  c.H4 = (s8(b[3]!) * 16) | (b[4]! & 0x0f);
  c.H5 = (s8(b[5]!) * 16) | (b[4]! >> 4);
  c.H6 = s8(b[6]!);
  return c;
}

/** The inverse of parseBme280Calibration (the model programs its registers with it). */
export function encodeBme280Calibration(c: Bme280Calibration): { a: Uint8Array; b: Uint8Array } {
  const a = new Uint8Array(26);
  const b = new Uint8Array(7);
  const put16 = (buf: Uint8Array, i: number, v: number): void => {
    buf[i] = v & 0xff;
    buf[i + 1] = (v >> 8) & 0xff;
  };
  put16(a, 0, c.T1); put16(a, 2, c.T2); put16(a, 4, c.T3);
  put16(a, 6, c.P1); put16(a, 8, c.P2); put16(a, 10, c.P3); put16(a, 12, c.P4); put16(a, 14, c.P5);
  put16(a, 16, c.P6); put16(a, 18, c.P7); put16(a, 20, c.P8); put16(a, 22, c.P9);
  a[25] = c.H1 & 0xff;
  put16(b, 0, c.H2);
  b[2] = c.H3 & 0xff;
  b[3] = (c.H4 >> 4) & 0xff;
  b[4] = (c.H4 & 0x0f) | ((c.H5 & 0x0f) << 4);
  b[5] = (c.H5 >> 4) & 0xff;
  b[6] = c.H6 & 0xff;
  return { a, b };
}
