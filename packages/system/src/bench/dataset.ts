import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateAgencyFiles } from '../gen-data.js';

/** The course's dataset, beside the repository (../shared/datasets from the repo root). */
export const DATASET_ZIP = fileURLToPath(new URL('../../../../../shared/datasets/tp0-dataset.zip', import.meta.url));
/** Rows per agency file of the course's dataset (78,697 in all). */
export const COURSE_SIZES = [26_936, 25_518, 16_014, 9_238, 991];

export interface Dataset {
  readonly files: string[];
  readonly source: string;
}

/** Unzips the course's dataset into `dir` (python3's zipfile: unzip may be missing); generated data of the same sizes when absent. */
export async function courseDataset(dir: string, zip = DATASET_ZIP): Promise<Dataset> {
  await mkdir(dir, { recursive: true });
  const files = COURSE_SIZES.map((_, i) => path.join(dir, `agency-${i + 1}.csv`));
  if (existsSync(zip)) {
    await promisify(execFile)('python3', ['-m', 'zipfile', '-e', zip, dir]);
    if (files.every((f) => existsSync(f))) return { files, source: `course dataset ${zip}` };
  }
  // gen-data gives every agency the same row count: generate agency k from a run of k agencies and keep its file.
  for (const [i, bets] of COURSE_SIZES.entries()) {
    const generated = generateAgencyFiles({ out: path.join(dir, `gen-${i + 1}`), agencies: i + 1, bets, seed: 42 });
    files[i] = generated[i]!;
  }
  return { files, source: `${zip} not found: generated data of the same sizes` };
}
