import { describe, expect, it } from 'vitest'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { MODES, resolveOptions, type Mode } from '../options.js'
import { gitlabLegacyProfile } from './gitlab-legacy.js'
import { lenientProfile } from './lenient.js'
import { profileFor } from './index.js'
import { strictProfile } from './strict.js'

describe('profileFor', () => {
  it('has one profile per mode, each naming its mode', () => {
    expect(MODES.map((mode) => profileFor(mode))).toEqual([strictProfile, lenientProfile, gitlabLegacyProfile])
    for (const mode of MODES) expect(profileFor(mode).mode).toBe(mode)
  })
})

describe('resolveOptions: the defaults a mode decides', () => {
  it.each([
    { mode: 'strict', verifyReferences: 'all', referrers: true },
    { mode: 'lenient', verifyReferences: 'blobs', referrers: true },
    { mode: 'gitlab-legacy', verifyReferences: 'all', referrers: false },
  ] as const)('$mode: verifyReferences $verifyReferences, referrers $referrers', ({ mode, verifyReferences, referrers }) => {
    expect(resolveOptions({ transport: 'none', mode })).toMatchObject({ mode, verifyReferences, referrers, allowSchema1: true, acceptUnknownManifestTypes: true, rejectUnknownContentType: false, maxManifestBytes: 4194304 })
  })

  it('lets the options override the mode', () => {
    expect(resolveOptions({ transport: 'none', mode: 'gitlab-legacy', referrers: true, verifyReferences: 'none' })).toMatchObject({ referrers: true, verifyReferences: 'none' })
    expect(resolveOptions({ transport: 'none', mode: 'lenient', allowSchema1: false, acceptUnknownManifestTypes: false })).toMatchObject({ allowSchema1: false, acceptUnknownManifestTypes: false })
  })

  it.each([
    { options: { mode: 'zot' as Mode }, message: `Failed to use option mode "zot": mode must be one of 'strict', 'lenient', 'gitlab-legacy'. Pass one of them, or leave mode out for 'strict'.` },
    { options: { mode: 'lenient' as const, verifyReferences: 'some' as 'all' }, message: `Failed to use option verifyReferences "some": verifyReferences must be one of 'all', 'blobs', 'none'. Pass one of them, or leave verifyReferences out for 'blobs'.` },
    { options: { allowSchema1: 'yes' as unknown as boolean }, message: 'Failed to use option allowSchema1 "yes": allowSchema1 must be true or false. Pass a boolean, or leave allowSchema1 out.' },
    { options: { acceptUnknownManifestTypes: 1 as unknown as boolean }, message: 'Failed to use option acceptUnknownManifestTypes "1": acceptUnknownManifestTypes must be true or false. Pass a boolean, or leave acceptUnknownManifestTypes out.' },
  ])('refuses $options', ({ options, message }) => {
    const run = () => resolveOptions({ transport: 'none', ...options })
    expect(run).toThrow(FakeRegistryError)
    expect(run).toThrow(message)
  })
})
