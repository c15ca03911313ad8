import { describe, expect, it } from 'vitest'
import { accessDetail, accessFor, formatScope, groupAccess, parseScope, parseScopes } from './scopes.js'

const url = (path: string): URL => new URL(`http://registry.test${path}`)

describe('accessFor, as distribution appendAccessRecords', () => {
  it.each([
    { method: 'GET', path: '/v2/', name: undefined, expected: [] },
    { method: 'HEAD', path: '/v2/', name: undefined, expected: [] },
    { method: 'GET', path: '/v2/_catalog', name: undefined, expected: ['registry:catalog:*'] },
    { method: 'GET', path: '/v2/team/app/manifests/1', name: 'team/app', expected: ['repository:team/app:pull'] },
    { method: 'HEAD', path: '/v2/team/app/blobs/sha256:x', name: 'team/app', expected: ['repository:team/app:pull'] },
    {
      method: 'PUT',
      path: '/v2/team/app/manifests/1',
      name: 'team/app',
      expected: ['repository:team/app:pull', 'repository:team/app:push'],
    },
    {
      method: 'POST',
      path: '/v2/team/app/blobs/uploads/',
      name: 'team/app',
      expected: ['repository:team/app:pull', 'repository:team/app:push'],
    },
    {
      method: 'PATCH',
      path: '/v2/team/app/blobs/uploads/u',
      name: 'team/app',
      expected: ['repository:team/app:pull', 'repository:team/app:push'],
    },
    { method: 'DELETE', path: '/v2/team/app/manifests/1', name: 'team/app', expected: ['repository:team/app:delete'] },
    { method: 'OPTIONS', path: '/v2/team/app/manifests/1', name: 'team/app', expected: [] },
    // A mount adds pull on the source repository; a `from` that is no repository name adds nothing.
    {
      method: 'POST',
      path: '/v2/team/app/blobs/uploads/?mount=sha256:x&from=team/base',
      name: 'team/app',
      expected: ['repository:team/app:pull', 'repository:team/app:push', 'repository:team/base:pull'],
    },
    {
      method: 'POST',
      path: '/v2/team/app/blobs/uploads/?mount=sha256:x&from=Team%22Base',
      name: 'team/app',
      expected: ['repository:team/app:pull', 'repository:team/app:push'],
    },
  ])('$method $path', ({ method, path, name, expected }) => {
    const records = accessFor(method, url(path), name)
    expect(records.map((record) => `${record.type}:${record.name}:${record.action}`)).toEqual(expected)
  })

  it('writes records with the Go field names and order of distribution, Class empty', () => {
    const records = accessFor('PUT', url('/v2/team/app/manifests/1'), 'team/app')
    expect(JSON.stringify(accessDetail(records))).toBe(
      '[{"Type":"repository","Class":"","Name":"team/app","Action":"pull"},{"Type":"repository","Class":"","Name":"team/app","Action":"push"}]',
    )
  })

  it('groups records per resource in order of first appearance', () => {
    const records = accessFor('POST', url('/v2/team/app/blobs/uploads/?mount=sha256:x&from=team/base'), 'team/app')
    expect(groupAccess(records).map(formatScope)).toEqual([
      'repository:team/app:pull,push',
      'repository:team/base:pull',
    ])
  })
})

describe('parseScope', () => {
  it.each([
    { text: 'repository:team/app:pull', expected: { type: 'repository', name: 'team/app', actions: ['pull'] } },
    {
      text: 'repository:team/app:pull,push,pull',
      expected: { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
    },
    { text: 'registry:catalog:*', expected: { type: 'registry', name: 'catalog', actions: ['*'] } },
    {
      text: 'repository(plugin):team/app:pull',
      expected: { type: 'repository(plugin)', name: 'team/app', actions: ['pull'] },
    },
    {
      text: 'repository:localhost:5000/team/app:pull',
      expected: { type: 'repository', name: 'localhost:5000/team/app', actions: ['pull'] },
    },
  ])('reads $text', ({ text, expected }) => {
    expect(parseScope(text)).toEqual(expected)
  })

  it.each([
    { text: 'repository', reason: 'it is not type:name:actions' },
    { text: 'repository:team/app', reason: 'it is not type:name:actions' },
    { text: 'Repository:team/app:pull', reason: 'the resource type "Repository" is not lower-case letters and digits' },
    { text: 'repository:Team/App:pull', reason: 'the resource name "Team/App" is not a repository name' },
    { text: 'repository::pull', reason: 'the resource name "" is not a repository name' },
    { text: 'repository:team/app:', reason: 'the action "" is not lower-case letters or *' },
    { text: 'repository:team/app:pull,PUSH', reason: 'the action "PUSH" is not lower-case letters or *' },
  ])('refuses $text', ({ text, reason }) => {
    expect(parseScope(text)).toBe(reason)
  })

  it('merges repeated and space-separated scopes per resource', () => {
    expect(parseScopes(['repository:a:pull repository:b:push', 'repository:a:push', ''])).toEqual([
      { type: 'repository', name: 'a', actions: ['pull', 'push'] },
      { type: 'repository', name: 'b', actions: ['push'] },
    ])
    expect(parseScopes(['repository:a:pull bad'])).toEqual({ error: 'it is not type:name:actions', scope: 'bad' })
  })
})
