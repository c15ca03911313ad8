// Access records and scopes, as distribution and its token spec define them.
import { isRepositoryName } from '../leaf/names.js'

/**
 * One action on one resource, distribution's `auth.Access`: what a request needs. Serialised in
 * a 401 body's `detail` with Go's field names and order (`Class` is always empty here).
 */
export interface AccessRecord {
  type: string
  name: string
  action: string
}

/**
 * Several actions on one resource: a scope of the token spec (`repository:team/app:pull,push`)
 * and an entry of a JWT's `access` claim.
 *
 * @example
 * formatScope({ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }) // 'repository:team/app:pull,push'
 */
export interface ResourceScope {
  type: string
  name: string
  actions: string[]
}

/** The catalog's one access record (distribution's `appendCatalogAccessRecord`). */
export const CATALOG_ACCESS: AccessRecord = { type: 'registry', name: 'catalog', action: '*' }

/**
 * What a routed request needs, as distribution's `appendAccessRecords`: GET and HEAD pull;
 * POST, PUT and PATCH pull and push; DELETE delete; a `from` query (a mount) adds pull on that
 * repository; `/v2/_catalog` needs `registry:catalog:*`; `/v2/` needs nothing but a credential.
 * Any other method needs nothing but a credential either. A `from` that is not a repository name
 * adds nothing: the upload handler refuses it on its own.
 *
 * @example
 * accessFor('POST', new URL('http://r.test/v2/team/app/blobs/uploads/?mount=sha256:…&from=team/base'), 'team/app')
 * // pull and push on team/app, pull on team/base
 */
export function accessFor(method: string, url: URL, name: string | undefined): AccessRecord[] {
  if (name === undefined) return url.pathname === '/v2/_catalog' ? [CATALOG_ACCESS] : []
  const records = repositoryAccess(method, name)
  const from = url.searchParams.get('from')
  if (from !== null && isRepositoryName(from)) records.push(...repositoryAccess('GET', from))
  return records
}

function repositoryAccess(method: string, name: string): AccessRecord[] {
  const on = (action: string): AccessRecord => ({ type: 'repository', name, action })
  switch (method) {
    case 'GET':
    case 'HEAD':
      return [on('pull')]
    case 'POST':
    case 'PUT':
    case 'PATCH':
      return [on('pull'), on('push')]
    case 'DELETE':
      return [on('delete')]
    default:
      return []
  }
}

/**
 * Access records grouped by resource, in order of first appearance, actions in the order asked.
 * (distribution walks a Go map here, so its order varies from one answer to the next.)
 *
 * @example
 * groupAccess([{ type: 'repository', name: 'a', action: 'pull' }, { type: 'repository', name: 'a', action: 'push' }])
 * // [{ type: 'repository', name: 'a', actions: ['pull', 'push'] }]
 */
export function groupAccess(records: readonly AccessRecord[]): ResourceScope[] {
  const scopes: ResourceScope[] = []
  for (const record of records) {
    let scope = scopes.find((s) => s.type === record.type && s.name === record.name)
    if (!scope) {
      scope = { type: record.type, name: record.name, actions: [] }
      scopes.push(scope)
    }
    if (!scope.actions.includes(record.action)) scope.actions.push(record.action)
  }
  return scopes
}

/** `type:name:action1,action2`, the token spec's resource scope. */
export function formatScope(scope: ResourceScope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`
}

/** The access records as distribution writes them in a 401 body's `detail`: Go field names and order. */
export function accessDetail(
  records: readonly AccessRecord[],
): Array<{ Type: string; Class: string; Name: string; Action: string }> {
  return records.map((record) => ({ Type: record.type, Class: '', Name: record.name, Action: record.action }))
}

// docs/content/spec/auth/scope.md: resourcetype [ '(' class ')' ] ':' resourcename ':' action [ ',' action ]*.
// The name may hold a host with a port, so it is what lies between the first and the last colon.
const RESOURCE_TYPE = /^[a-z0-9]+(?:\([a-z0-9]+\))?$/
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const HOST = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?'
const RESOURCE_NAME = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*$`)
// The grammar says [a-z]*; `*` is what the catalog scope and admin grants use.
const ACTION = /^(?:[a-z]+|\*)$/

/**
 * Parses one resource scope, or returns why it is not one.
 *
 * @example
 * parseScope('repository:team/app:pull,push') // { type: 'repository', name: 'team/app', actions: ['pull', 'push'] }
 * parseScope('repository:team/app') // 'it is not type:name:actions'
 */
export function parseScope(text: string): ResourceScope | string {
  const first = text.indexOf(':')
  const last = text.lastIndexOf(':')
  if (first === -1 || last === first) return 'it is not type:name:actions'
  const type = text.slice(0, first)
  const name = text.slice(first + 1, last)
  const actions = text.slice(last + 1).split(',')
  if (!RESOURCE_TYPE.test(type)) return `the resource type "${type}" is not lower-case letters and digits`
  if (name.length > 255 || !RESOURCE_NAME.test(name)) return `the resource name "${name}" is not a repository name`
  const bad = actions.find((action) => !ACTION.test(action))
  if (bad !== undefined) return `the action "${bad}" is not lower-case letters or *`
  return { type, name, actions: [...new Set(actions)] }
}

/**
 * Parses scope parameters: each may hold several scopes separated by spaces (the OAuth2 form),
 * and a GET may repeat the parameter. Returns the scopes merged per resource, or the first error.
 *
 * @example
 * parseScopes(['repository:a:pull repository:b:push']) // two scopes
 */
export function parseScopes(values: readonly string[]): ResourceScope[] | { error: string; scope: string } {
  const records: AccessRecord[] = []
  for (const value of values) {
    for (const text of value.split(' ')) {
      if (text === '') continue
      const scope = parseScope(text)
      if (typeof scope === 'string') return { error: scope, scope: text }
      for (const action of scope.actions) records.push({ type: scope.type, name: scope.name, action })
    }
  }
  return groupAccess(records)
}
