import type { PermissionRule, ResolvedAuthOptions } from './types.js'

// Every action a repository knows; `*` in a rule stands for all of them and for itself.
const REPOSITORY_ACTIONS = ['pull', 'push', 'delete', '*'] as const
const FULL_ACCESS: readonly PermissionRule[] = [
  { source: 'repository:*:*', type: 'repository', name: /^/, actions: REPOSITORY_ACTIONS },
  { source: 'registry:catalog:*', type: 'registry', name: /^catalog$/, actions: ['*'] },
]

const RULE = /^(?<type>[a-z0-9]+):(?<name>[a-z0-9._\-/*]+):(?<actions>(?:[a-z]+|\*)(?:,(?:[a-z]+|\*))*)$/

/**
 * Parses a permission rule, `type:pattern:actions`, where `*` in the pattern matches any
 * characters (`/` included); or returns why it is not one.
 *
 * @example
 * parsePermission('repository:team/*:pull,push') // { type: 'repository', name: /^team\/.*$/, actions: ['pull', 'push'] }
 */
export function parsePermission(source: string): PermissionRule | string {
  const match = RULE.exec(source)
  if (!match?.groups) return 'a permission is type:name:actions, such as repository:team/*:pull,push'
  const { type, name, actions } = match.groups as { type: string; name: string; actions: string }
  const pattern = name
    .split('*')
    .map((part) => part.replace(/[.\-/]/g, '\\$&'))
    .join('.*')
  const list = actions.split(',')
  const expanded = list.includes('*') ? (type === 'repository' ? REPOSITORY_ACTIONS : ['*']) : list
  return { source, type, name: new RegExp(`^${pattern}$`), actions: [...new Set(expanded)] }
}

/**
 * The actions `user` (null: anonymous) may take on a resource: what anonymous requests may,
 * plus the user's rules (all of them when no permissions are configured).
 *
 * @example
 * allowedActions(auth, 'alice', 'repository', 'team/app') // ['pull', 'push', 'delete', '*']
 */
export function allowedActions(
  auth: ResolvedAuthOptions,
  user: string | null,
  type: string,
  name: string,
): Set<string> {
  const allowed = new Set<string>()
  if (auth.anonymous === 'pull' && type === 'repository') allowed.add('pull')
  if (user === null) return allowed
  const rules = auth.permissions === undefined ? FULL_ACCESS : (auth.permissions.get(user) ?? [])
  for (const rule of rules) {
    if (rule.type === type && rule.name.test(name)) for (const action of rule.actions) allowed.add(action)
  }
  return allowed
}
