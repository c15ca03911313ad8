import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../options.js'
import { allowedActions, parsePermission } from './permissions.js'

function authOf(
  auth: Parameters<typeof resolveOptions>[0] extends infer O ? (O extends { auth?: infer A } ? A : never) : never,
) {
  const resolved = resolveOptions({ transport: 'none', auth }).options.auth
  if (!resolved) throw new Error('auth did not resolve')
  return resolved
}

describe('parsePermission', () => {
  it('turns * into "any characters, slashes included" and expands the * action', () => {
    const rule = parsePermission('repository:team/*:*')
    if (typeof rule === 'string') throw new Error(rule)
    expect(rule.actions).toEqual(['pull', 'push', 'delete', '*'])
    for (const name of ['team/app', 'team/sub/app', 'team/']) expect(rule.name.test(name)).toBe(true)
    for (const name of ['teams/app', 'other/team/app', 'team']) expect(rule.name.test(name)).toBe(false)
    const exact = parsePermission('repository:team.app:pull')
    if (typeof exact === 'string') throw new Error(exact)
    expect(exact.name.test('team.app')).toBe(true)
    expect(exact.name.test('teamxapp')).toBe(false)
  })

  it.each([
    'repository:team/app',
    'repository:Team:pull',
    'repository:team/app:pull,',
    ':team:pull',
    'repository:team app:pull',
  ])('refuses %s', (text) => {
    expect(parsePermission(text)).toBe('a permission is type:name:actions, such as repository:team/*:pull,push')
  })
})

describe('allowedActions', () => {
  it('gives every user everything when no permissions are configured, and anonymous nothing', () => {
    const auth = authOf({ users: { alice: 'a' } })
    expect([...allowedActions(auth, 'alice', 'repository', 'any/thing')]).toEqual(['pull', 'push', 'delete', '*'])
    expect([...allowedActions(auth, 'alice', 'registry', 'catalog')]).toEqual(['*'])
    expect([...allowedActions(auth, null, 'repository', 'any/thing')]).toEqual([])
  })

  it('gives users their rules plus what anonymous requests may, and unlisted users only the latter', () => {
    const auth = authOf({
      users: { alice: 'a', bob: 'b' },
      anonymous: 'pull',
      permissions: { alice: ['repository:team/*:push', 'registry:catalog:*'] },
    })
    expect([...allowedActions(auth, 'alice', 'repository', 'team/app')]).toEqual(['pull', 'push'])
    expect([...allowedActions(auth, 'alice', 'repository', 'other/app')]).toEqual(['pull'])
    expect([...allowedActions(auth, 'alice', 'registry', 'catalog')]).toEqual(['*'])
    expect([...allowedActions(auth, 'bob', 'repository', 'team/app')]).toEqual(['pull'])
    expect([...allowedActions(auth, 'bob', 'registry', 'catalog')]).toEqual([])
    expect([...allowedActions(auth, null, 'repository', 'team/app')]).toEqual(['pull'])
  })
})
