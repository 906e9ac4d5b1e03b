import { z } from 'zod';

/** The `fleet` section of a site file. Owned by the issue that builds fleet; open until then. */
export const fleetSection = z.object({}).passthrough();
export type FleetSection = z.infer<typeof fleetSection>;
