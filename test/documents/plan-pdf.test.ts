import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readPlanDocument } from '../../src/documents/plan/index.ts'
import { makePdf } from './make-pdf.ts'
import { doubts, rows } from './plan-helpers.ts'

const repo = path.resolve(import.meta.dirname, '../..')
const kaiping = readFileSync(path.join(repo, 'test/fixtures/plans/kaiping-round-2025.txt'), 'utf8')

/** Lays a text out as a printed document: lines of 24 characters, 18 lines a page, a running header and a page number on each. */
function printed(text: string): string[][] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .flatMap((p) => p.match(/.{1,24}/gu) ?? [])
  const pages: string[][] = []
  for (let i = 0; i < lines.length; i += 18) {
    const n = pages.length + 1
    pages.push([
      ...(n > 1 ? ['开平市人民政府办公室'] : []),
      ...lines.slice(i, i + 18),
      n % 2 ? `— ${n} —` : `第${n}页 共9页`,
    ])
  }
  return pages
}

describe('a PDF with a text layer', async () => {
  const text = await readPlanDocument(Buffer.from(kaiping), 'kaiping.txt')
  const pages = printed(kaiping)
  const pdf = makePdf(pages, { shuffle: true })

  it('is read as a PDF by its content, lines rebuilt in reading order, broken lines rejoined', async () => {
    expect(pages.length).toBeGreaterThan(1)
    const plan = await readPlanDocument(pdf, 'kaiping.pdf')
    expect(plan.format).toBe('pdf')
    expect(plan.title).toBe('开平市2025年法治政府建设工作计划')
    expect(rows(plan)).toEqual(rows(text))
    expect(rows(plan)).toHaveLength(7)
    expect(rows(plan)[1]).toEqual([
      '一2',
      '加强领导干部法治培训',
      '市委组织部:lead 市司法局:support',
      '2025-12-31',
    ])
    expect(doubts(plan)).toEqual([])
    expect(plan.tasks.map((t) => t.body).join('')).not.toMatch(/开平市人民政府办公室|— \d —|第\d页/)
  })

  it('refuses a PDF without text (a scan) and a damaged one, saying why', async () => {
    await expect(readPlanDocument(makePdf([[]]), 'scan.pdf')).rejects.toThrow(/没有文字.*扫描件.*no text/)
    await expect(readPlanDocument(Buffer.from('%PDF-1.7\ngarbage'), 'broken.pdf')).rejects.toThrow(
      /文件已损坏.*damaged/,
    )
  })
})
