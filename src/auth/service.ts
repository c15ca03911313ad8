import type { ResolvedAuthOptions } from './types.js'

/**
 * What `<host>` stands for in a realm or a service: the host the request was sent to, with its
 * port (`127.0.0.1:5000`), which is the registry's own host as the client names it. ECR's Basic
 * realm holds it, and so does the service of GAR, ACR and Quay, which name their host.
 */
const HOST = '<host>'

/**
 * `text` with `<host>` replaced by the request's host.
 *
 * @example
 * withHost('https://<host>/', new URL('http://127.0.0.1:5000/v2/')) // 'https://127.0.0.1:5000/'
 */
export function withHost(text: string, url: URL): string {
  return text.replaceAll(HOST, url.host)
}

/**
 * The service of a request's challenge, of the token asked for it and of that token's audience.
 *
 * @example
 * serviceFor({ ...options, service: '<host>' }, new URL('http://127.0.0.1:5000/token')) // '127.0.0.1:5000'
 */
export function serviceFor(options: ResolvedAuthOptions, url: URL): string {
  return withHost(options.service, url)
}

/**
 * The token endpoint's URL, which Bearer challenges name as their realm: the profile's path
 * (`realmPath`) on the origin the request was sent to.
 *
 * @example
 * realmOf({ ...options, realmPath: '/v2/auth' }, new URL('http://127.0.0.1:5000/v2/')) // 'http://127.0.0.1:5000/v2/auth'
 */
export function realmOf(options: ResolvedAuthOptions, url: URL): string {
  return `${url.origin}${options.realmPath}`
}
