import { z } from 'zod';

/** The `jobs` section of a site file. Owned by the issue that builds jobs; open until then. */
export const jobsSection = z.object({}).passthrough();
export type JobsSection = z.infer<typeof jobsSection>;
