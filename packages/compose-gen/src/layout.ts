/**
 * Where the files the containers need live: in the repository (host side) and in the images (container side).
 * Host paths are written relative to the output file's folder, so a file generated anywhere points at this
 * repository's files.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This repository's root: the CLI runs from packages/compose-gen/dist (or src under tsx). */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

export const SERVER_CONFIG = 'packages/server/config.ini';
export const CLIENT_CONFIG = 'packages/client/config.yaml';
export const SERVER_CONFIG_TARGET = '/app/config.ini';
export const CLIENT_CONFIG_TARGET = '/app/config.yaml';

/** The agency's bet file, relative to the repo root on the host and to the client's working dir /app inside. */
export function agencyFile(clientId: number): string {
  return `.data/agency-${clientId}.csv`;
}

/**
 * Where the server keeps bets.csv and bets.csv.finished: the home of the image's user (node, uid 1000). In Compose
 * it is the container's own folder unless `--keep-bets` mounts the named volume there; in Swarm the volume is always
 * there (a restarted task is a new container). Docker fills a new named volume from the image's directory at the
 * mount point, owner included, so the server can write there; a path the image lacks would give a root-owned volume.
 */
export const BETS_VOLUME = 'bets';
export const BETS_DIR = '/home/node';
export const BETS_FILE = `${BETS_DIR}/bets.csv`;

/** Where the file is written and which repository its paths point into (both absolute). */
export interface Placement {
  readonly outDir: string;
  readonly repoRoot: string;
}

/** A file at the repo root, as the Compose file at the repo root sees it. */
export const AT_REPO_ROOT: Placement = { outDir: REPO_ROOT, repoRoot: REPO_ROOT };

/** `repoPath` (relative to the repo root) as seen from the output's folder: `./x` or `../x`, which Compose reads as a path, not a volume name. */
export function fromOutput(placement: Placement, repoPath: string): string {
  const path = relative(placement.outDir, resolve(placement.repoRoot, repoPath));
  return isAbsolute(path) || path.startsWith('../') ? path : `./${path}`;
}

/** `repoPath` as an absolute host path. */
export function absolute(placement: Placement, repoPath: string): string {
  return resolve(placement.repoRoot, repoPath);
}
