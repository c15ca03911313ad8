import { OciError } from '../errors/oci-error.js'
import type { RegistryClock } from '../leaf/clock.js'
import type { ResolvedRateLimit } from '../profiles/quirks.js'

/** What the limiter decided for one request: an answer that replaces the registry's, or headers to add to it. */
export type RateDecision = { refuse: Response } | { headers: Record<string, string> }

// docker/docs, docker-hub/usage/pulls.md, and the 2025 wire message (docs/profiles.md, row "rate limits").
const PULL_LIMIT_MESSAGE =
  'You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit'

/**
 * Docker Hub's limits on the registry's clock (docs/profiles.md, row "rate limits"). The pull
 * limit counts manifest GETs in a sliding window (HEAD does not count) and sends
 * `ratelimit-limit`, `ratelimit-remaining` and `docker-ratelimit-source` on manifest GET and HEAD;
 * past it a manifest GET is `429 TOOMANYREQUESTS`. The abuse limit counts every request and
 * answers the plain-text `Too Many Requests (HAP429).` with `Retry-After`.
 *
 * @example
 * const limiter = createRateLimiter(rateLimit, clock)
 * const decision = limiter.decide('GET', 'manifest')
 */
export function createRateLimiter(limits: ResolvedRateLimit, clock: RegistryClock) {
  // Timestamps of counted pulls and of all requests, oldest first; each holds at most its limit.
  let pulls: number[] = []
  let requests: number[] = []
  const window = `w=${Math.round(limits.windowMs / 1000)}`

  const live = (times: number[], windowMs: number, now: number): number[] =>
    times.filter((time) => time > now - windowMs)

  return {
    decide(method: string, kind: string | undefined): RateDecision | undefined {
      const now = clock.now()
      if (limits.abuseLimit !== undefined) {
        requests = live(requests, limits.abuseWindowMs, now)
        if (requests.length >= limits.abuseLimit) return { refuse: abuseAnswer(limits.retryAfterSeconds) }
        requests.push(now)
      }
      if (kind !== 'manifest' || (method !== 'GET' && method !== 'HEAD')) return undefined
      pulls = live(pulls, limits.windowMs, now)
      const headers = (remaining: number): Record<string, string> => ({
        'ratelimit-limit': `${limits.limit};${window}`,
        'ratelimit-remaining': `${remaining};${window}`,
        'docker-ratelimit-source': limits.source,
      })
      if (method === 'HEAD') return { headers: headers(Math.max(0, limits.limit - pulls.length)) }
      if (pulls.length >= limits.limit) {
        const error = new OciError('TOOMANYREQUESTS', undefined, { message: PULL_LIMIT_MESSAGE, headers: headers(0) })
        return { refuse: refusal(error) }
      }
      pulls.push(now)
      return { headers: headers(limits.limit - pulls.length) }
    },
    reset(): void {
      pulls = []
      requests = []
    },
  }
}

/** A started rate limiter. */
export type RateLimiter = ReturnType<typeof createRateLimiter>

function refusal(error: OciError): Response {
  const body = `${JSON.stringify({ errors: error.entries })}\n`
  return new Response(body, {
    status: error.status,
    headers: {
      ...error.headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    },
  })
}

// The 2020 capture, byte for byte: text/plain, `\n` line ending, Retry-After in seconds.
function abuseAnswer(retryAfterSeconds: number): Response {
  const body = 'Too Many Requests (HAP429).\n'
  return new Response(body, {
    status: 429,
    headers: {
      'content-type': 'text/plain',
      'content-length': String(body.length),
      'retry-after': String(retryAfterSeconds),
    },
  })
}
