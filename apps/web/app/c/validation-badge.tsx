import { type CorrectionValidationState, describeValidation } from '@trueboard/contracts';

const TONE: Record<CorrectionValidationState['status'], string> = {
  validating: 'running',
  valid: 'finished',
  invalid: 'failed',
  unvalidated: 'queued',
};

/**
 * Where a proposal's check stands: `validating`, `valid`, `invalid: <why>` or `unvalidated: <why>`
 * (no runner of its family answered in time). The message is the validator's or the platform's
 * text, rendered as text.
 */
export function ValidationBadge({ check }: { check: Pick<CorrectionValidationState, 'status' | 'message'> }) {
  return (
    <span className={`state state-${TONE[check.status]}`} data-testid="validation-status">
      {describeValidation(check)}
    </span>
  );
}
