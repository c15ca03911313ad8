// Body actions of a fault. Each wraps a body stream and is pull-driven (nothing is read before
// the client asks), so a large blob streams through a fault without being held in memory.

type Body = ReadableStream<Uint8Array>

/**
 * The body with its first byte inverted (XOR 0xff): same length, different digest. The stored
 * bytes are never touched; the changed chunk is a copy.
 *
 * @example
 * corruptBody(response.body)
 */
export function corruptBody(source: Body): Body {
  let flipped = false
  return passChunks(source, (chunk) => {
    if (flipped || chunk.byteLength === 0) return chunk
    flipped = true
    const copy = new Uint8Array(chunk)
    copy[0] = (copy[0] as number) ^ 0xff
    return copy
  })
}

/**
 * The body cut after `limit` bytes. With `ending`, the stream then errors with it, as a body
 * does over a connection that broke; without, it ends there (the transport breaks the
 * connection itself).
 *
 * @example
 * truncateBody(response.body, 100, bodyTerminated())
 */
export function truncateBody(source: Body, limit: number, ending: Error | undefined): Body {
  const reader = source.getReader()
  let sent = 0
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // The cut happens on the pull after the last chunk was taken: an error in the same pull
        // would discard a chunk still queued.
        if (sent >= limit) {
          await reader.cancel().catch(() => {})
          if (!ending) {
            controller.close()
            return
          }
          // A socket's close is an event of its own, after the bytes before it were delivered:
          // in process the error waits a turn too, so a client reads those bytes first.
          await new Promise((resolve) => setImmediate(resolve))
          controller.error(ending)
          return
        }
        const { done, value } = await reader.read()
        if (done) {
          controller.close()
          return
        }
        const part = value.byteLength > limit - sent ? value.subarray(0, limit - sent) : value
        sent += part.byteLength
        controller.enqueue(part)
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}

/**
 * The body sent at `bytesPerSecond`: slices of a tenth of a second's worth (at least one byte),
 * each held back until the rate allows it; the first goes at once.
 *
 * @example
 * throttleBody(response.body, 1024) // about 102 bytes every 100 ms
 */
export function throttleBody(source: Body, bytesPerSecond: number): Body {
  const reader = source.getReader()
  const sliceBytes = Math.max(1, Math.floor(bytesPerSecond / 10))
  let pending: Uint8Array = new Uint8Array(0)
  let nextAt = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let wake: (() => void) | undefined
  let cancelled = false
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (pending.byteLength === 0) {
          const { done, value } = await reader.read()
          if (done) {
            controller.close()
            return
          }
          pending = value
        }
        const wait = nextAt - performance.now()
        if (wait > 0) {
          await new Promise<void>((resolve) => {
            wake = resolve
            timer = setTimeout(resolve, wait)
          })
          wake = undefined
          if (cancelled) return
        }
        const slice = pending.subarray(0, sliceBytes)
        pending = pending.subarray(slice.byteLength)
        nextAt = performance.now() + (slice.byteLength / bytesPerSecond) * 1000
        controller.enqueue(slice)
      },
      cancel(reason) {
        cancelled = true
        clearTimeout(timer)
        wake?.()
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

function passChunks(source: Body, change: (chunk: Uint8Array) => Uint8Array): Body {
  const reader = source.getReader()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(change(value))
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}
