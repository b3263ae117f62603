/** What the file is for: `docker-compose up` on one host, or `docker stack deploy` on a swarm. */
export const TARGETS = ['compose', 'swarm'] as const;

export type Target = (typeof TARGETS)[number];

export const DEFAULT_TARGET: Target = 'compose';

export function isTarget(value: string): value is Target {
  return (TARGETS as readonly string[]).includes(value);
}
