/**
 * The distribution-spec error table as data: each code with its HTTP status and the default
 * `message` distribution sends (registry/api/errcode/register.go), so every error the fake
 * writes reads like the real registry's.
 *
 * @example
 * ERROR_CODES.MANIFEST_UNKNOWN // { status: 404, message: 'manifest unknown' }
 */
export const ERROR_CODES = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'The operation is unsupported.' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  // Not one of the spec's 14 codes: distribution's catch-all for an internal failure. The fake
  // only sends it when a handler throws, which is a bug in the fake or in a user's storage.
  UNKNOWN: { status: 500, message: 'unknown error' },
} as const satisfies Record<string, { status: number; message: string }>

/**
 * One of the error codes the fake can send.
 *
 * @example
 * const { errors } = (await response.json()) as { errors: Array<{ code: ErrorCode }> }
 */
export type ErrorCode = keyof typeof ERROR_CODES

/**
 * Codes outside the spec that real registries send, for the quirks that imitate them (see
 * docs/profiles.md): ECR's immutable-tag refusal, Quay's page cap, Harbor's own codes,
 * distribution's pagination check. Kept apart from `ERROR_CODES` so the spec's table stays the spec's.
 *
 * @example
 * VENDOR_ERROR_CODES.PRECONDITION.status // 412
 */
export const VENDOR_ERROR_CODES = {
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  TOO_MANY_TAGS_REQUESTED: { status: 413, message: 'Too many tags requested' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  PRECONDITION: { status: 412, message: 'precondition failed' },
  NOT_FOUND: { status: 404, message: 'not found' },
  TOO_MANY_REQUEST: { status: 429, message: 'too many requests' },
} as const satisfies Record<string, { status: number; message: string }>

/** A code of `ERROR_CODES` or, sent only by a quirk, of `VENDOR_ERROR_CODES`. */
export type AnyErrorCode = ErrorCode | keyof typeof VENDOR_ERROR_CODES
