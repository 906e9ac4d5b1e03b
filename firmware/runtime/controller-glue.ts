import type { Site } from '../site/schema.js';
import type { ControllerFactory } from './intersection-part.js';

/**
 * Glue between firmware/traffic (engine, strategies, conflict monitor) and the runtime's
 * ControllerPort/MonitorPort. Returns null while the traffic engine is not available, and the
 * intersection then holds all-red flash and says so.
 */
export function controllerFactory(_site: Site): ControllerFactory | null {
  return null;
}
