import { describe, expect, it } from 'vitest'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { DEFAULT_QUIRKS, DEFAULTS, MODES, resolveOptions, type FakeRegistryOptions, type Mode } from '../options.js'
import { gitlabLegacyMode } from './gitlab-legacy.js'
import { createProfile, MODE_OPTION_NAMES, modeDefaults } from './index.js'
import { lenientMode } from './lenient.js'
import { strictMode } from './strict.js'

describe('the modes', () => {
  it('has one definition per mode, each building a profile that names its mode', () => {
    expect(MODES).toEqual([strictMode.mode, lenientMode.mode, gitlabLegacyMode.mode])
    for (const mode of MODES) expect(createProfile(mode, {}).mode).toBe(mode)
  })

  it('lists every mode-specific option once', () => {
    expect([...MODE_OPTION_NAMES].sort()).toEqual(['schema1', 'unknownContentTypes', 'unknownManifestTypes'])
  })

  it('freezes the definitions and the defaults, so no test can change the next registry', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true)
    expect(Object.isFrozen(strictMode.parameters)).toBe(true)
    expect(Object.isFrozen(modeDefaults('lenient'))).toBe(true)
    expect(() => ((DEFAULTS as { mode: string }).mode = 'lenient')).toThrow(TypeError)
  })
})

describe('resolveOptions: the defaults a mode decides', () => {
  it.each([
    { mode: 'strict', verifyReferences: 'all', referrers: true },
    { mode: 'lenient', verifyReferences: 'blobs', referrers: true },
    { mode: 'gitlab-legacy', verifyReferences: 'all', referrers: false },
  ] as const)(
    '$mode: verifyReferences $verifyReferences, referrers $referrers',
    ({ mode, verifyReferences, referrers }) => {
      const { options, profile } = resolveOptions({ transport: 'none', mode })
      // DEFAULTS.auth holds the defaults of the auth option's fields; auth itself is off.
      expect(options).toEqual({
        ...DEFAULTS,
        auth: undefined,
        transport: 'none',
        mode,
        verifyReferences,
        referrers,
        storage: options.storage,
        quirks: DEFAULT_QUIRKS,
      })
      expect(profile.mode).toBe(mode)
    },
  )

  it('lets the options override the mode', () => {
    expect(
      resolveOptions({ transport: 'none', mode: 'gitlab-legacy', referrers: true, verifyReferences: 'none' }).options,
    ).toMatchObject({ referrers: true, verifyReferences: 'none' })
  })

  it('builds the profile from the mode’s own options', () => {
    const schema1 = { schemaVersion: 1, name: 'team/app', tag: '1', fsLayers: [], history: [] }
    expect(resolveOptions({ mode: 'lenient' }).profile.push.chooseParser(undefined, schema1).family).toBe('schema1')
    expect(() =>
      resolveOptions({ mode: 'lenient', schema1: false }).profile.push.chooseParser(undefined, schema1),
    ).toThrow('manifest invalid')
  })

  it.each([
    {
      options: { mode: 'zot' as Mode },
      message: `Failed to use option mode "zot": mode must be one of 'strict', 'lenient', 'gitlab-legacy'. Pass one of them, or leave mode out for 'strict'.`,
    },
    {
      options: { mode: 'lenient' as const, verifyReferences: 'some' as 'all' },
      message: `Failed to use option verifyReferences "some": verifyReferences must be one of 'all', 'blobs', 'none'. Pass one of them, or leave verifyReferences out for 'blobs'.`,
    },
    {
      options: { mode: 'lenient' as const, schema1: 'yes' as unknown as boolean },
      message:
        'Failed to use option schema1 "yes": schema1 must be true or false. Pass a boolean, or leave schema1 out.',
    },
    {
      options: { mode: 'lenient' as const, unknownManifestTypes: 1 as unknown as boolean },
      message:
        'Failed to use option unknownManifestTypes "1": unknownManifestTypes must be true or false. Pass a boolean, or leave unknownManifestTypes out.',
    },
    {
      options: { schema1: false },
      message: `Failed to use option "schema1": only mode 'lenient' reads it, and this registry's mode is 'strict'. Pass mode: 'lenient' with it, or leave schema1 out.`,
    },
    {
      options: { mode: 'gitlab-legacy' as const, unknownContentTypes: false },
      message: `Failed to use option "unknownContentTypes": only mode 'strict' reads it, and this registry's mode is 'gitlab-legacy'. Pass mode: 'strict' with it, or leave unknownContentTypes out.`,
    },
    {
      options: { authentication: {} } as FakeRegistryOptions,
      message: 'Failed to use option "authentication": it is not an option of createFakeRegistry. Use one of:',
    },
    {
      options: { deleteEnabled: false } as FakeRegistryOptions,
      message:
        'Failed to use option "deleteEnabled": it is not an option of createFakeRegistry; it is now deletes. Use one of:',
    },
  ])('refuses $options', ({ options, message }) => {
    const run = () => resolveOptions({ transport: 'none', ...options })
    expect(run).toThrow(FakeRegistryError)
    expect(run).toThrow(message)
  })

  it('refuses options that are not an object', () => {
    expect(() => resolveOptions(null as unknown as FakeRegistryOptions)).toThrow(
      'Failed to read the options "null": they must be an object. Pass an object such as { mode: "strict" }, or nothing.',
    )
  })
})
