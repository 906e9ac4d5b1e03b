import { z } from 'zod';

/** The `detection` section of a site file. Owned by the issue that builds detection; open until then. */
export const detectionSection = z.object({}).passthrough();
export type DetectionSection = z.infer<typeof detectionSection>;
