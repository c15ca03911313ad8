// Structural checks of a HAR 1.2 document, written from the HAR 1.2 specification
// (W3C Web Performance WG draft, "HTTP Archive (HAR) format", version 1.2). Each object lists
// its required fields with their types and its optional ones; custom fields must start with "_".
// Returns every problem found, as JSON paths, so a failing test says what is wrong.

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'date'

interface Shape {
  required: Record<string, Kind>
  optional?: Record<string, Kind>
}

const SHAPES: Record<string, Shape> = {
  log: {
    required: { version: 'string', creator: 'object', entries: 'array' },
    optional: { browser: 'object', pages: 'array', comment: 'string' },
  },
  creator: { required: { name: 'string', version: 'string' }, optional: { comment: 'string' } },
  page: {
    required: { startedDateTime: 'date', id: 'string', title: 'string', pageTimings: 'object' },
    optional: { comment: 'string' },
  },
  entry: {
    required: {
      startedDateTime: 'date',
      time: 'number',
      request: 'object',
      response: 'object',
      cache: 'object',
      timings: 'object',
    },
    optional: { pageref: 'string', serverIPAddress: 'string', connection: 'string', comment: 'string' },
  },
  request: {
    required: {
      method: 'string',
      url: 'string',
      httpVersion: 'string',
      cookies: 'array',
      headers: 'array',
      queryString: 'array',
      headersSize: 'integer',
      bodySize: 'integer',
    },
    optional: { postData: 'object', comment: 'string' },
  },
  response: {
    required: {
      status: 'integer',
      statusText: 'string',
      httpVersion: 'string',
      cookies: 'array',
      headers: 'array',
      content: 'object',
      redirectURL: 'string',
      headersSize: 'integer',
      bodySize: 'integer',
    },
    optional: { comment: 'string' },
  },
  cookie: {
    required: { name: 'string', value: 'string' },
    optional: {
      path: 'string',
      domain: 'string',
      expires: 'date',
      httpOnly: 'boolean',
      secure: 'boolean',
      comment: 'string',
    },
  },
  pair: { required: { name: 'string', value: 'string' }, optional: { comment: 'string' } },
  postData: { required: { mimeType: 'string' }, optional: { params: 'array', text: 'string', comment: 'string' } },
  param: {
    required: { name: 'string' },
    optional: { value: 'string', fileName: 'string', contentType: 'string', comment: 'string' },
  },
  content: {
    required: { size: 'integer', mimeType: 'string' },
    optional: { compression: 'integer', text: 'string', encoding: 'string', comment: 'string' },
  },
  cache: { required: {}, optional: { beforeRequest: 'object', afterRequest: 'object', comment: 'string' } },
  timings: {
    required: { send: 'number', wait: 'number', receive: 'number' },
    optional: { blocked: 'number', dns: 'number', connect: 'number', ssl: 'number', comment: 'string' },
  },
}

// ISO 8601 with a time zone, as the spec requires for dates (e.g. 2009-07-24T19:20:30.45+01:00).
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/

export function harProblems(document: unknown): string[] {
  const problems: string[] = []
  if (!isObject(document)) return ['$: not an object']
  checkKeys(document, { required: { log: 'object' } }, '$', problems)
  const log = document.log
  if (!isObject(log)) return problems
  check(log, 'log', '$.log', problems)
  if (log.version !== '1.2') problems.push(`$.log.version: expected "1.2", got ${JSON.stringify(log.version)}`)
  if (isObject(log.creator)) check(log.creator, 'creator', '$.log.creator', problems)
  if (Array.isArray(log.pages))
    log.pages.forEach((page, index) => check(page, 'page', `$.log.pages[${index}]`, problems))
  if (Array.isArray(log.entries))
    log.entries.forEach((entry, index) => checkEntry(entry, `$.log.entries[${index}]`, problems))
  return problems
}

function checkEntry(entry: unknown, path: string, problems: string[]): void {
  if (!check(entry, 'entry', path, problems)) return
  const { request, response, cache, timings, time } = entry
  if (check(request, 'request', `${path}.request`, problems)) {
    eachOf(request.cookies, 'cookie', `${path}.request.cookies`, problems)
    eachOf(request.headers, 'pair', `${path}.request.headers`, problems)
    eachOf(request.queryString, 'pair', `${path}.request.queryString`, problems)
    if (request.postData !== undefined && check(request.postData, 'postData', `${path}.request.postData`, problems)) {
      eachOf(request.postData.params, 'param', `${path}.request.postData.params`, problems)
      if (request.postData.params !== undefined && request.postData.text !== undefined)
        problems.push(`${path}.request.postData: params and text are mutually exclusive`)
    }
    sizeOrUnknown(request.headersSize, `${path}.request.headersSize`, problems)
    sizeOrUnknown(request.bodySize, `${path}.request.bodySize`, problems)
  }
  if (check(response, 'response', `${path}.response`, problems)) {
    eachOf(response.cookies, 'cookie', `${path}.response.cookies`, problems)
    eachOf(response.headers, 'pair', `${path}.response.headers`, problems)
    check(response.content, 'content', `${path}.response.content`, problems)
    sizeOrUnknown(response.headersSize, `${path}.response.headersSize`, problems)
    sizeOrUnknown(response.bodySize, `${path}.response.bodySize`, problems)
  }
  check(cache, 'cache', `${path}.cache`, problems)
  if (check(timings, 'timings', `${path}.timings`, problems)) {
    for (const name of ['send', 'wait', 'receive'] as const) {
      if (typeof timings[name] === 'number' && timings[name] < 0)
        problems.push(`${path}.timings.${name}: must not be negative`)
    }
    for (const name of ['blocked', 'dns', 'connect', 'ssl'] as const) {
      if (typeof timings[name] === 'number' && timings[name] < -1) problems.push(`${path}.timings.${name}: -1 or more`)
    }
    // The entry's time is the sum of its timings, those not applicable (-1) left out.
    const sum = ['blocked', 'dns', 'connect', 'send', 'wait', 'receive'].reduce((total, name) => {
      const value = timings[name]
      return typeof value === 'number' && value !== -1 ? total + value : total
    }, 0)
    if (typeof time === 'number' && Math.abs(time - sum) > 1e-6)
      problems.push(`${path}.time: ${time} is not the sum of the timings (${sum})`)
  }
}

function eachOf(items: unknown, shape: string, path: string, problems: string[]): void {
  if (Array.isArray(items)) items.forEach((item, index) => check(item, shape, `${path}[${index}]`, problems))
}

function sizeOrUnknown(value: unknown, path: string, problems: string[]): void {
  if (typeof value === 'number' && value < -1) problems.push(`${path}: a size is -1 (unknown) or more`)
}

function check(value: unknown, shape: string, path: string, problems: string[]): value is Record<string, any> {
  if (!isObject(value)) {
    problems.push(`${path}: not an object`)
    return false
  }
  checkKeys(value, SHAPES[shape] as Shape, path, problems)
  return true
}

function checkKeys(value: Record<string, unknown>, shape: Shape, path: string, problems: string[]): void {
  for (const [key, kind] of Object.entries(shape.required)) {
    if (!(key in value)) problems.push(`${path}.${key}: required`)
    else if (!isKind(value[key], kind)) problems.push(`${path}.${key}: not ${kind}`)
  }
  for (const [key, item] of Object.entries(value)) {
    if (key in shape.required) continue
    const kind = shape.optional?.[key]
    if (kind !== undefined) {
      if (!isKind(item, kind)) problems.push(`${path}.${key}: not ${kind}`)
    } else if (!key.startsWith('_')) problems.push(`${path}.${key}: not a HAR 1.2 field (custom fields start with "_")`)
  }
}

function isKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'array':
      return Array.isArray(value)
    case 'object':
      return isObject(value)
    case 'integer':
      return Number.isInteger(value)
    case 'date':
      return typeof value === 'string' && ISO_8601.test(value) && !Number.isNaN(Date.parse(value))
    default:
      return typeof value === kind
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
