#!/usr/bin/env node
// Runs the compiled CLI from dist/ on a device; in a checkout without a build, runs the
// TypeScript sources through tsx so `npx wayside …` works straight after `npm ci`.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/firmware/cli/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../firmware/cli/main.ts', import.meta.url).href);
}
