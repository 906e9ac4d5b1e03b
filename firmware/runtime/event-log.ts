import { appendFileSync, mkdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The event log: one JSON object per line. Lines are buffered and appended asynchronously
 * (the write happens on libuv's thread pool, not the control thread) about once a second, and
 * synchronously at shutdown. The file is opened per append, so the rotation job on the jobs
 * thread can rename it at any time: the next append starts a new file.
 */
export class EventLog {
  private lines: string[] = [];
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  written = 0;
  bytes = 0;
  errors = 0;
  lastError: string | null = null;

  constructor(
    readonly path: string,
    flushEveryMs = 1000,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref();
  }

  append(record: unknown): void {
    this.lines.push(JSON.stringify(record));
  }

  get pending(): number {
    return this.lines.length;
  }

  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    if (this.lines.length === 0) return;
    const text = this.lines.join('\n') + '\n';
    const n = this.lines.length;
    this.lines = [];
    this.writing = appendFile(this.path, text)
      .then(() => {
        this.written += n;
        this.bytes += Buffer.byteLength(text);
      })
      .catch((err: Error) => {
        this.errors++;
        this.lastError = err.message;
      })
      .finally(() => {
        this.writing = null;
      });
    await this.writing;
  }

  /** At shutdown: whatever is buffered goes to disk before the process exits. */
  closeSync(): void {
    clearInterval(this.timer);
    if (this.lines.length === 0) return;
    const text = this.lines.join('\n') + '\n';
    try {
      appendFileSync(this.path, text);
      this.written += this.lines.length;
      this.bytes += Buffer.byteLength(text);
    } catch (err) {
      this.errors++;
      this.lastError = (err as Error).message;
    }
    this.lines = [];
  }
}
