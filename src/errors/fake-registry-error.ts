/**
 * Stable codes for misuse of the library's own API (not the HTTP API), in the manner of
 * undici's `UND_ERR_*`: tests and callers branch on `code`, never on the message.
 *
 * @example
 * if (error instanceof FakeRegistryError && error.code === 'ERR_REGISTRY_CLOSED') return // closed by another test
 */
export type FakeRegistryErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_REGISTRY_CLOSED'
  | 'ERR_INVALID_REFERENCE'
  | 'ERR_LISTEN'
  | 'ERR_STORAGE'
  | 'ERR_SEED'
  | 'ERR_UNHANDLED_REQUEST'
  | 'ERR_DISPATCHER_CLOSED'
  | 'ERR_MISSING_PEER'
  | 'ERR_INVALID_EXPECTATION'
  | 'ERR_INVALID_FAULT'

/**
 * Thrown for misuse of the library's API. The message always reads
 * `Failed to <action> "<subject>": <reason>. <What to do>.`
 *
 * @example
 * try { await createFakeRegistry({ mode: 'loose' as never }) }
 * catch (error) { if (error instanceof FakeRegistryError) console.log(error.code) } // ERR_INVALID_OPTION
 */
export class FakeRegistryError extends Error {
  readonly code: FakeRegistryErrorCode

  constructor(
    code: FakeRegistryErrorCode,
    parts: { action: string; subject: string; reason: string; fix: string },
    options?: { cause?: unknown },
  ) {
    super(`Failed to ${parts.action} "${parts.subject}": ${trimDot(parts.reason)}. ${trimDot(parts.fix)}.`, options)
    this.name = 'FakeRegistryError'
    this.code = code
  }
}

function trimDot(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text
}
