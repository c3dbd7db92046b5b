#!/usr/bin/env -S node --max-semi-space-size=4
// The `duban` command: runs the TypeScript sources through tsx so there is no build step to forget.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./root.ts')
process.exitCode = await main(process.argv.slice(2))
