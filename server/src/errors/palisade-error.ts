/**
 * The base of every error Palisade throws on purpose. `code` is stable and machine-readable in one
 * spelling, `ERR_` and upper snake case (as panva/jose does: `ERR_JWT_EXPIRED`); callers branch on
 * it, never on the message. Messages may name ids and contexts but never a secret or a value
 * the caller sent.
 *
 * Five classes keep the lower-case reason codes their callers (and tests) already branch on, since
 * those reasons also reach audit records and problem bodies: AppKeyError (`not_active`),
 * SignatureError (`signature_mismatch`), JsonBodyError (`too-deep`), PostureError (`wrong-typ`)
 * and MdmError (`foreign-next-link`). docs/problems.md lists every class and its codes.
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
