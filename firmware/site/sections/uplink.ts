import { z } from 'zod';

/** The `uplink` section of a site file. Owned by the issue that builds uplink; open until then. */
export const uplinkSection = z.object({}).passthrough();
export type UplinkSection = z.infer<typeof uplinkSection>;
