// The shapes of HAR 1.2, apart from the code that writes them, so the journal's types can name them.

/** A name/value pair of HAR 1.2 (headers, query string, cookies). */
export interface HarNameValue {
  name: string
  value: string
  comment?: string
}

/** A HAR 1.2 entry: one request and its answer. Fields starting with `_` are this library's. */
export interface HarEntry {
  startedDateTime: string
  time: number
  request: {
    method: string
    url: string
    httpVersion: string
    cookies: HarNameValue[]
    headers: HarNameValue[]
    queryString: HarNameValue[]
    postData?: { mimeType: string; text: string; comment?: string }
    headersSize: number
    bodySize: number
  }
  response: {
    status: number
    statusText: string
    httpVersion: string
    cookies: HarNameValue[]
    headers: HarNameValue[]
    content: { size: number; mimeType: string; text?: string; comment?: string }
    redirectURL: string
    headersSize: number
    bodySize: number
  }
  cache: Record<string, never>
  timings: { send: number; wait: number; receive: number }
  _id: number
  _transport: string
  _repository?: string
  _reference?: string
  _digest?: string
  _errorCode?: string
}

/** A HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/). */
export interface Har {
  log: {
    version: '1.2'
    creator: { name: string; version: string }
    entries: HarEntry[]
    comment?: string
  }
}
