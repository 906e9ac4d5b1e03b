import { z } from 'zod';

/** The `status` section of a site file. Owned by the issue that builds status; open until then. */
export const statusSection = z.object({}).passthrough();
export type StatusSection = z.infer<typeof statusSection>;
