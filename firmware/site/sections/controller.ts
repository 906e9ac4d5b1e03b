import { z } from 'zod';

/** The `controller` section of a site file. Owned by the issue that builds controller; open until then. */
export const controllerSection = z.object({}).passthrough();
export type ControllerSection = z.infer<typeof controllerSection>;
