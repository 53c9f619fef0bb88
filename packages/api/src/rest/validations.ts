import { ValidationClaimRequest, ValidationFailRequest, ValidationResultRequest } from '@trueboard/contracts';
import * as core from '@trueboard/core';
import type { Context } from '../context';
import { json, readJson } from './respond';

/** A validator's evidence is previews, never whole results: far below this. */
const RESULT_MAX_BYTES = 1024 * 1024;

/**
 * The runner protocol's correction checks (runner tokens only): `POST validations/claim` hands out
 * one (or null, at once: the kit polls), `POST validations/<id>/result` answers valid or invalid,
 * `POST validations/<id>/fail` reports a validator that threw. `path` is what follows `validations`.
 */
export async function handleValidations(ctx: Context, path: string[]): Promise<Response | null> {
  if (ctx.req.method !== 'POST') return null;
  const p = ctx.platform;
  const a = ctx.actor;
  core.requireRunner(a);
  const [first, action] = path;
  if (path.length === 1 && first === 'claim') {
    const req = ValidationClaimRequest.parse(await readJson(ctx.req));
    // a runner that hung up is handed nothing (see claimValidation)
    const validation = await core.claimValidation(p, a, req, ctx.req.signal);
    return json({ validation });
  }
  if (path.length !== 2 || !first) return null;
  if (!/^[0-9a-f-]{36}$/.test(first)) throw core.badInput(`bad input: "${first}" is not a validation id`);
  switch (action) {
    case 'result':
      return json(
        await core.completeValidation(
          p,
          a,
          first,
          ValidationResultRequest.parse(await readJson(ctx.req, RESULT_MAX_BYTES)),
        ),
      );
    case 'fail':
      return json(await core.failValidation(p, a, first, ValidationFailRequest.parse(await readJson(ctx.req))));
    default:
      return null;
  }
}
