/**
 * The name of each loop detector of a site, in `detectors` order: its `name`, else
 * `loop-<phase>`; a name already taken gets `-<pin>` appended. The runtime names the loops'
 * occupancy streams `<name>.occupancy` with it, and `wayside check` matches `detection`
 * entries against the same names.
 */
export function loopNames(detectors: readonly { name?: string | undefined; phase: number; pin: number }[]): string[] {
  const names: string[] = [];
  for (const d of detectors) {
    const name = d.name ?? `loop-${d.phase}`;
    names.push(names.includes(name) ? `${name}-${d.pin}` : name);
  }
  return names;
}
