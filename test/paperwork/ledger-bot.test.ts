/**
 * `/ledger` over HTTP: the real bot against the Bot API emulator. A liaison is refused; a
 * supervisor gets the workbook as a document, whose bytes the emulator kept and exceljs reads.
 */
import ExcelJS from 'exceljs'
import { expect, it } from 'vitest'
import type { EmulatorUser } from '../../src/sandbox/emulator/index.ts'
import { describeDb } from '../helpers/db.ts'
import { type Fixture, type Harness, users, useSeededBot } from '../bot/harness.ts'

const dm = (u: EmulatorUser) => ({ id: u.id, type: 'private' as const })

describeDb('/ledger', (t) => {
  let h: Harness
  let f: Fixture

  useSeededBot(t, { use: (started, fixture) => ((h = started), (f = fixture)) })

  it('refuses a liaison and sends no file', async () => {
    await h.say(users.liaison, dm(users.liaison), `/start ${f.invites.liaison}`)
    const answer = await h.say(users.liaison, dm(users.liaison), '/ledger')
    expect(answer.kind).toBe('text')
    expect(answer.visibleText).toBe('台账仅供督办人员查看。')
    await h.settle()
    expect(h.emulator.sentMessages(users.liaison.id).filter((m) => m.kind === 'document')).toEqual([])
  })

  it('sends a supervisor the workbook as a document', async () => {
    await h.say(users.supervisor, dm(users.supervisor), `/start ${f.invites.supervisor}`)
    const sent = await h.say(users.supervisor, dm(users.supervisor), '/ledger')
    expect(sent.kind).toBe('document')
    expect(sent.document?.file_name).toBe('工作台账-2024-10-15.xlsx')
    expect(sent.visibleText).toBe('台山市2024年度行政执法监督工作方案 工作台账（截至2024-10-15），共 5 条。')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(sent.document!.data as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('总表')!
    expect(ws.rowCount).toBe(2 + 5)
    expect(ws.getRow(3).getCell(2).value).toBe('二（五）2')
  })

  it('answers a bad date with the reason', async () => {
    await h.say(users.supervisor, dm(users.supervisor), `/start ${f.invites.supervisor}`)
    const answer = await h.say(users.supervisor, dm(users.supervisor), '/ledger 2023-01-01')
    expect(answer.visibleText).toMatch(/^2023-01-01 早于工作方案/)
  })
})
