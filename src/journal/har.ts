import { createRequire } from 'node:module'
import type { Har, HarEntry, HarNameValue } from './har-types.js'
import type { RecordedRequest } from './journal-types.js'

export type { Har, HarEntry, HarNameValue } from './har-types.js'

// Credentials must not end up in a file attached to a bug report.
const REDACTED_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie'])

const CREATOR = { name: 'fake-oci-registry', version: packageVersion() }

/** The journal's entries as a HAR 1.2 document. */
export function toHar(entries: readonly RecordedRequest[]): Har {
  return {
    log: {
      version: '1.2',
      creator: { ...CREATOR },
      entries: entries.map(entryOf),
      comment: 'Recorded by fake-oci-registry. Blob bodies are not kept; a manifest PUT carries its parsed body.',
    },
  }
}

function entryOf(recorded: RecordedRequest): HarEntry {
  const { response } = recorded
  // In-process transports carry HTTP semantics too; viewers expect a version string.
  const httpVersion = 'HTTP/1.1'
  const entry: HarEntry = {
    startedDateTime: recorded.startedAt.toISOString(),
    time: recorded.timings.wait + recorded.timings.receive,
    request: {
      method: recorded.method,
      url: recorded.url,
      httpVersion,
      cookies: [],
      headers: pairs(recorded.headers),
      queryString: Object.entries(recorded.query).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((item) => ({ name, value: item })),
      ),
      headersSize: -1,
      bodySize: recorded.bodySize,
    },
    response: {
      status: response.status,
      statusText: response.statusText,
      httpVersion,
      cookies: [],
      headers: pairs(response.headers),
      content: contentOf(recorded),
      redirectURL: response.headers.location ?? '',
      headersSize: -1,
      bodySize: response.bodySize,
    },
    cache: {},
    timings: { send: 0, wait: recorded.timings.wait, receive: recorded.timings.receive },
    _id: recorded.id,
    _transport: recorded.transport,
  }
  if (recorded.manifest !== undefined) {
    entry.request.postData = {
      mimeType: recorded.headers['content-type'] ?? '',
      text: JSON.stringify(recorded.manifest),
      comment: 'the manifest as parsed, re-serialised; the exact bytes are stored under its digest',
    }
  } else if (recorded.manifestSummary !== undefined) {
    const { size, reason } = recorded.manifestSummary
    entry.request.postData = {
      mimeType: recorded.headers['content-type'] ?? '',
      text: '',
      comment: `a manifest of ${size} bytes, not kept (${reason})`,
    }
  }
  if (recorded.repository !== undefined) entry._repository = recorded.repository
  if (recorded.reference !== undefined) entry._reference = recorded.reference
  if (recorded.digest !== undefined) entry._digest = recorded.digest
  if (response.errorCode !== undefined) entry._errorCode = response.errorCode
  if (recorded.fault !== undefined) entry._fault = recorded.fault
  return entry
}

function contentOf(recorded: RecordedRequest): HarEntry['response']['content'] {
  const { response } = recorded
  const content: HarEntry['response']['content'] = {
    size: response.bodySize,
    mimeType: response.headers['content-type'] ?? '',
  }
  // An error answer is rebuilt exactly from what was recorded: the envelope is written by one
  // function from the codes, messages and details. Other bodies are never kept.
  if (response.errors && recorded.method !== 'HEAD') content.text = `${JSON.stringify({ errors: response.errors })}\n`
  else if (response.bodySize > 0) content.comment = 'body not kept'
  return content
}

function pairs(headers: Readonly<Record<string, string>>): HarNameValue[] {
  return Object.entries(headers).map(([name, value]) => ({
    name,
    value: REDACTED_HEADERS.has(name) ? 'REDACTED' : value,
  }))
}

function packageVersion(): string {
  try {
    // src/journal and dist/journal are both two levels below the package root.
    const manifest = createRequire(import.meta.url)('../../package.json') as { version?: unknown }
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0'
  } catch {
    return '0.0.0'
  }
}
