/**
 * The steps durable-receive can add (`--steps`), in the order bench/ladder.ts climbs them: all
 * of them together are the small uploads' required-work floor (see durable-receive.ts). Its own
 * module so that the baseline and the bench's server starters share one list without the
 * baseline loading the starters.
 */
export const requiredSteps = ['walk', 'hash', 'row', 'sqlite'] as const;
export type RequiredStep = (typeof requiredSteps)[number];
