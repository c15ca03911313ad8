import { isAsymmetricMatcher, type RecordedRequest } from '../journal/journal.js'

// Failure messages are read by people and compared by snapshot tests: everything here is
// deterministic (no timings, no hosts or ports, stable ordering).

/**
 * A value as it reads in a message: texts quoted, RegExps as literals, asymmetric matchers by
 * their description, objects and arrays inline.
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value instanceof RegExp) return String(value)
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`
  if (isAsymmetricMatcher(value)) return formatAsymmetric(value)
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).filter(([, item]) => item !== undefined)
    return fields.length === 0
      ? '{}'
      : `{ ${fields.map(([key, item]) => `${formatKey(key)}: ${formatValue(item)}`).join(', ')} }`
  }
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`
  return String(value)
}

function formatKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)
}

function formatAsymmetric(matcher: object): string {
  const described = matcher as {
    toAsymmetricMatcher?: () => string
    toString(): string
    sample?: unknown
    inverse?: boolean
  }
  if (typeof described.toAsymmetricMatcher === 'function') return described.toAsymmetricMatcher()
  const name = described.toString()
  if (name === '[object Object]') return 'an asymmetric matcher'
  return 'sample' in described ? `${name} ${formatValue(described.sample)}` : name
}

/** `sha256:0123456789ab…`: enough to tell digests apart in a table. */
export function shortDigest(digest: string | undefined): string {
  if (digest === undefined) return ''
  const colon = digest.indexOf(':')
  return colon !== -1 && digest.length > colon + 13 ? `${digest.slice(0, colon + 13)}…` : digest
}

/**
 * Rows as an aligned text table under a header, each line indented by two spaces; trailing
 * blanks are trimmed so snapshots stay clean.
 */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    `  ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** The requests as a table: id, method, path with query, status, error code, and an optional last column. */
export function formatRequests(
  requests: readonly RecordedRequest[],
  extra?: { title: string; cell: (request: RecordedRequest) => string },
): string {
  const header = ['#', 'method', 'path', 'status', 'error']
  if (extra) header.push(extra.title)
  const rows = requests.map((request) => {
    const row = [
      String(request.id),
      request.method,
      shortenDigests(pathWithQuery(request)),
      String(request.response.status),
      request.response.errorCode ?? '',
    ]
    if (extra) row.push(extra.cell(request))
    return row
  })
  return formatTable(header, rows)
}

/** Every full digest in a text (a path, a query) cut to its short form, so tables stay narrow. */
function shortenDigests(text: string): string {
  return text.replace(/\b([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-f0-9]{12})[a-f0-9]{20,}/g, '$1:$2…')
}

function pathWithQuery(request: RecordedRequest): string {
  const query = new URL(request.url).search
  return `${request.path}${query}`
}

/** `a, b, c`; `(none)` (or `empty`) for an empty list. */
export function formatList(items: readonly string[], empty = '(none)'): string {
  if (items.length === 0) return empty
  return items.join(', ')
}

/** Singular or plural: `1 request`, `2 requests`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
