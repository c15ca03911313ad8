import type { RecordedRequest } from '../journal/journal.js'
import type { LogFormat } from './parse-args.js'

/**
 * One request as a line of the CLI's request log, without the newline. `human`:
 * `PUT /v2/team/app/manifests/1 201 1.2ms`, with the error code after the status of an error
 * answer. `json`: one object with the fields a machine filters on; absent ones are left out.
 *
 * @example
 * formatRequest(registry.requests.last()!, 'human') // 'GET /v2/ 200 0.3ms'
 */
export function formatRequest(request: RecordedRequest, format: LogFormat): string {
  const url = new URL(request.url)
  const target = `${url.pathname}${url.search}`
  const { status, errorCode } = request.response
  const ms = Math.round(request.timings.wait * 10) / 10
  if (format === 'json') {
    return JSON.stringify({
      time: request.startedAt.toISOString(),
      id: request.id,
      method: request.method,
      target,
      status,
      error: errorCode,
      repository: request.repository,
      reference: request.reference,
      digest: request.digest,
      requestBytes: request.bodySize,
      ms,
    })
  }
  return [request.method, target, String(status), errorCode, `${ms}ms`].filter((part) => part !== undefined).join(' ')
}
