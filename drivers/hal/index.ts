export * from './errors.js';
export * from './clock.js';
export * from './gpio.js';
export * from './i2c.js';
export * from './backend.js';
export * from './debounce.js';
