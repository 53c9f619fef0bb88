/** Who is calling a service: services take a typed actor and authorize against it. */
export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; isAdmin: boolean; via: 'session' | 'token' }
  | { kind: 'runner'; tokenId: string }
  | { kind: 'system' };

export type UserActor = Extract<Actor, { kind: 'user' }>;
export type RunnerActor = Extract<Actor, { kind: 'runner' }>;

export const systemActor: Actor = { kind: 'system' };

export function actorUserId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}
