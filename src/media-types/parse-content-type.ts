// RFC 7231 §3.1.1.1: media-type = type "/" subtype *( OWS ";" OWS parameter ),
// parameter = token "=" ( token / quoted-string ). Types and subtypes are case-insensitive.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const PARAMETER = /^[ \t]*;[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[\t !#-[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*")/
const TRAILING = /^[ \t]*;?[ \t]*$/

/**
 * Parses a `Content-Type` (or one `Accept` item) as an RFC 7231 media type and returns
 * `type/subtype` in lower case with the parameters dropped, since the spec says a registry
 * SHOULD ignore them. Returns `undefined` when the value is not a media type.
 *
 * @example
 * parseMediaType('Application/VND.OCI.image.manifest.v1+json; charset=utf-8') // 'application/vnd.oci.image.manifest.v1+json'
 * parseMediaType('not a type') // undefined
 */
export function parseMediaType(value: string): string | undefined {
  const trimmed = value.replace(/^[ \t]+/, '')
  const end = trimmed.search(/[ \t;]/)
  const essence = end === -1 ? trimmed : trimmed.slice(0, end)
  const slash = essence.indexOf('/')
  if (slash === -1) return undefined
  const type = essence.slice(0, slash)
  const subtype = essence.slice(slash + 1)
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined
  let rest = end === -1 ? '' : trimmed.slice(end)
  // A quoted parameter value may hold ';', so the parameters are consumed one by one.
  for (let match = PARAMETER.exec(rest); match; match = PARAMETER.exec(rest)) rest = rest.slice(match[0].length)
  if (!TRAILING.test(rest)) return undefined
  return `${type}/${subtype}`.toLowerCase()
}
