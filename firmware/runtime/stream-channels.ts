/**
 * Which driver channels become streams (a detector each, a chart each): the ones the issue
 * names. The others (raw accelerometer axes, shunt voltage) stay inside the driver. Shared by
 * the sampler, which builds the streams, and `wayside check`, which refuses a `detection`
 * entry naming a channel that will never be a stream.
 */
const STREAM_CHANNELS: Record<string, readonly string[] | 'all'> = {
  bme280: ['temperature_c', 'humidity_pct', 'pressure_pa'],
  ina219: ['current_a', 'bus_v'],
  mpu6050: ['vibration_rms_g'],
  ads1115: 'all',
};

/** The channels of a `chip` driver (given its `driverChannels`, in order) that are streamed. */
export function streamedChannels(chip: string, driverChannels: readonly string[]): string[] {
  const wanted = STREAM_CHANNELS[chip] ?? 'all';
  return driverChannels.filter((ch) => wanted === 'all' || wanted.includes(ch));
}
