import { afterAll } from 'vitest'
import { directoryStorage } from '../../src/index.js'
import { makeTempDir, removeLayout } from '../support/oci-layout.js'
import { describeStorageContract } from './storage-contract.js'

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await removeLayout(dir)
})

describeStorageContract('directory', async () => {
  const dir = await makeTempDir('fake-oci-storage-')
  dirs.push(dir)
  return directoryStorage(dir)
})
