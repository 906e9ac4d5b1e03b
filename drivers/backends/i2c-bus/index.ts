import type { BackendContext, GpioBackend, I2cBackend } from '../../hal/backend.js';
import { HalError } from '../../hal/errors.js';

// Placeholder until the drivers issue lands this backend; selecting it fails clearly.
export async function open(_ctx: BackendContext): Promise<{ gpio?: GpioBackend; i2c?: I2cBackend }> {
  throw new HalError('notFound', 'backend "i2c-bus" is not built yet');
}
