import { memoize } from '../leaf/memo.js'

// RFC 7231 §3.1.1.1: media-type = type "/" subtype *( OWS ";" OWS parameter ),
// parameter = token "=" ( token / quoted-string ). Types and subtypes are case-insensitive.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const PARAMETER =
  /^[ \t]*;[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[\t !#-[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*")/
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
  return parseOnce(value)
}

// Clients send the same few values on every request: each is parsed once.
const parseOnce = memoize(parseUncached)

function parseUncached(value: string): string | undefined {
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

// Go's mime package: a token is any ASCII character above space that is not a tspecial.
const GO_TSPECIALS = '()<>@,;:\\"/[]?='
const GO_SPACE = /^[ \t\n\v\f\r\u0085\u00a0]+/

/**
 * Parses a `Content-Type` as Go's `mime.ParseMediaType` does, which is what GitLab ≤ 3.6 ran
 * before picking a manifest parser: the lower-case media type, or Go's error text. Go accepts a
 * bare token such as `garbage` as a media type, and ignores a trailing `;`.
 *
 * @example
 * parseMediaTypeAsGo('application /json') // { error: 'mime: expected slash after first token' }
 * parseMediaTypeAsGo('garbage') // { type: 'garbage' }
 */
export function parseMediaTypeAsGo(value: string): { type: string } | { error: string } {
  const semicolon = value.indexOf(';')
  const base = semicolon === -1 ? value : value.slice(0, semicolon)
  const type = trimGoSpace(base.toLowerCase())
  const [first, afterFirst] = goToken(type)
  if (first === '') return { error: 'mime: no media type' }
  if (afterFirst !== '') {
    if (!afterFirst.startsWith('/')) return { error: 'mime: expected slash after first token' }
    const [subtype, afterSubtype] = goToken(afterFirst.slice(1))
    if (subtype === '') return { error: 'mime: expected token after slash' }
    if (afterSubtype !== '') return { error: 'mime: unexpected content after media subtype' }
  }
  const seen = new Set<string>()
  let rest = value.slice(base.length)
  while ((rest = rest.replace(GO_SPACE, '')) !== '') {
    const parameter = goParameter(rest)
    if (parameter === undefined) {
      if (trimGoSpace(rest) === ';') break
      return { error: 'mime: invalid media parameter' }
    }
    if (seen.has(parameter.key)) return { error: 'mime: duplicate parameter name' }
    seen.add(parameter.key)
    rest = parameter.rest
  }
  return { type }
}

function trimGoSpace(value: string): string {
  return value.replace(GO_SPACE, '').replace(/[ \t\n\v\f\r\u0085\u00a0]+$/, '')
}

function isGoTokenChar(char: string): boolean {
  const code = char.charCodeAt(0)
  return code > 0x20 && code < 0x7f && !GO_TSPECIALS.includes(char)
}

function goToken(value: string): [token: string, rest: string] {
  let end = 0
  while (end < value.length && isGoTokenChar(value.charAt(end))) end++
  return [value.slice(0, end), value.slice(end)]
}

/** One `; key=value` (token or quoted string), as Go's consumeMediaParam; undefined when there is none. */
function goParameter(value: string): { key: string; rest: string } | undefined {
  let rest = value.replace(GO_SPACE, '')
  if (!rest.startsWith(';')) return undefined
  const [key, afterKey] = goToken(rest.slice(1).replace(GO_SPACE, ''))
  if (key === '') return undefined
  rest = afterKey.replace(GO_SPACE, '')
  if (!rest.startsWith('=')) return undefined
  rest = rest.slice(1).replace(GO_SPACE, '')
  if (!rest.startsWith('"')) {
    const [token, afterToken] = goToken(rest)
    return token === '' ? undefined : { key: key.toLowerCase(), rest: afterToken }
  }
  for (let index = 1; index < rest.length; index++) {
    const char = rest.charAt(index)
    if (char === '"') return { key: key.toLowerCase(), rest: rest.slice(index + 1) }
    if (char === '\\' && index + 1 < rest.length && GO_TSPECIALS.includes(rest.charAt(index + 1))) index++
    else if (char === '\r' || char === '\n') return undefined
  }
  return undefined
}
