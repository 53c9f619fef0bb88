import { z } from 'zod';

/**
 * Hyperparameters as stored: the shape of contracts' `Hyperparameters` without its input bounds,
 * so a value accepted under older limits is still served instead of failing the response.
 */
export const StoredHyperparameters = z
  .object({ learningRate: z.number().optional() })
  .catchall(z.union([z.string(), z.number(), z.boolean(), z.null()]));

/** A method as its team and the boards show it. */
export const Method = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  paperUrl: z.string().nullable(),
  codeUrl: z.string().nullable(),
  hyperparameters: StoredHyperparameters,
  tags: z.array(z.string()),
  createdAt: z.date(),
});

/** `methods.create`: the new method with its team and creator. */
export const CreatedMethod = Method.extend({ teamId: z.string(), createdBy: z.string() });
