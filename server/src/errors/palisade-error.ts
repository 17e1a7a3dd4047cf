/**
 * The base of every error Palisade throws on purpose. `code` is stable and machine-readable in one
 * spelling, `ERR_` and upper snake case (as panva/jose does: `ERR_JWT_EXPIRED`); callers branch on
 * it, never on the message. Messages may name ids and contexts but never a secret or a value
 * the caller sent.
 *
 * Five classes also carry a lower-case `reason` (AppKeyError `not_active`, SignatureError
 * `signature_mismatch`, JsonBodyError `too-deep`, PostureError `wrong-typ`, MdmError
 * `foreign-next-link`): those words already appear in audit records and in a problem's `code`
 * member, so they stay as they are; the error's `code` is the same reason in the one spelling
 * (`ERR_APP_KEY_NOT_ACTIVE`, `ERR_SIGNATURE_MISMATCH`, `ERR_JSON_BODY_TOO_DEEP`,
 * `ERR_POSTURE_WRONG_TYP`, `ERR_MDM_FOREIGN_NEXT_LINK`).
 */
export class PalisadeError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** `ERR_` + upper snake case: the one spelling of a PalisadeError's code. */
export const ERROR_CODE = /^ERR_[A-Z0-9_]*[A-Z0-9]$/;

/** The code of a problem type: `invalid-token` → `ERR_INVALID_TOKEN`. */
export function codeOfSlug(slug: string): string {
  return `ERR_${slug.replace(/-/g, '_').toUpperCase()}`;
}
