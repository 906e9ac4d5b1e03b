import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * V8 CPU profile of the control thread through the inspector protocol (the same data as
 * `node --cpu-prof`, without re-spawning the process). Written as a .cpuprofile that Chrome
 * DevTools, speedscope and `wayside profile FILE` read.
 */
export class CpuProfiler {
  private readonly session = new Session();

  private post<T = unknown>(method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) => {
      this.session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T)));
    });
  }

  /** `intervalUs`: sampling interval (V8's default is 1000 µs). */
  async start(intervalUs = 500): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.post('Profiler.start');
  }

  /** Stops and writes DIR/wayside-<ISO time>-<pid>.cpuprofile; returns the path. */
  async stop(dir: string): Promise<string> {
    const { profile } = await this.post<{ profile: unknown }>('Profiler.stop');
    this.session.disconnect();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `wayside-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  }
}
