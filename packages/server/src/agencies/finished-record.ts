import { open, readFile, type FileHandle } from 'node:fs/promises';

/** An agency that said `finished`, with the number of bets it said it sent. */
export interface FinishedAgency {
  readonly agency: number;
  readonly total: number;
}

/**
 * The durable list of agencies that finished: one `agency,total` line each, appended and synced to disk before
 * the agency's `finished` is acknowledged, so a restarted server still knows who finished (and still draws).
 * The file is opened once at start-up: recording a finish needs no new file descriptor.
 */
export class FinishedRecord {
  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    readonly recovered: readonly FinishedAgency[],
  ) {}

  /** Opens (creating) `path` and reads what earlier runs recorded; a torn last line (a crash mid-write) is ignored. */
  static async open(path: string): Promise<FinishedRecord> {
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const recovered: FinishedAgency[] = [];
    const lines = text.split('\n');
    // Only lines ended by "\n" were completely written.
    for (const [index, line] of lines.slice(0, -1).entries()) {
      const match = /^(\d+),(\d+)$/.exec(line.trim());
      if (match === null) throw new Error(`${path}, line ${index + 1}: expected "agency,total", got ${JSON.stringify(line)}`);
      recovered.push({ agency: Number(match[1]), total: Number(match[2]) });
    }
    const file = await open(path, 'a');
    // Cut a torn line left by a crash, or the next record would be glued onto it.
    if (text !== '' && !text.endsWith('\n')) await file.truncate(Buffer.byteLength(text) - Buffer.byteLength(lines.at(-1)!));
    return new FinishedRecord(file, path, recovered);
  }

  /** Appends `finished` and syncs it to disk. */
  async add({ agency, total }: FinishedAgency): Promise<void> {
    await this.file.appendFile(`${agency},${total}\n`);
    await this.file.datasync();
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
