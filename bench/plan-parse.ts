/**
 * Reading plan documents (issue 9): time to read a plan of 50 KB, 500 KB and 5 MB of text as a
 * text file, a text file without closing punctuation (every line left open, the case that was
 * quadratic), a Word document with a task table, and an Excel 台账. The documents are generated
 * here; sizes are the UTF-8 size of the plan text they hold (a .docx/.xlsx file is zipped, so
 * smaller). Growth is reported as time ÷ (50 KB time × size factor): about 1 is linear.
 *
 *   npm run bench -- plan-parse
 */
import { readPlanDocument } from '../src/documents/plan/index.ts'
import { machineLine, writeSection, runIfMain } from './results.ts'

const SIZES = [50_000, 500_000, 5_000_000]
const GOAL_MS = 5000

const UNITS = [
  '市司法局',
  '市公安局',
  '市交通运输局',
  '各县（市、区）政府',
  '市直各行政执法部门',
  '各镇（街）',
]
const DEADLINES = [
  '今年10月中旬前',
  '年底前',
  '每季度末',
  '3月至6月',
  '长期坚持',
  '2025年8月中旬前',
  '第三季度',
]

function task(i: number): {
  title: string
  body: string
  units: string
  lead: string
  support: string
  due: string
} {
  const lead = UNITS[i % UNITS.length] ?? ''
  const support = UNITS[(i + 2) % UNITS.length] ?? ''
  return {
    title: `开展第${i}项行政执法专项监督`,
    body: `围绕逐利执法、执法不规范等问题，梳理突出问题清单，组织开展专项整治行动，形成整治台账，${DEADLINES[i % DEADLINES.length]}完成。`,
    units: `${lead}牵头，${support}、市委编办配合`,
    lead,
    support,
    due: DEADLINES[i % DEADLINES.length] ?? '',
  }
}

/** A plan in prose: sections of ten numbered tasks each, until `bytes` is reached. */
export function proseText(bytes: number, open: boolean): string {
  const out: string[] = ['江门市2024年度行政执法监督工作方案', '为加强行政执法监督，制定本方案。']
  let size = 0
  let i = 0
  let section = 0
  while (size < bytes) {
    if (i % 10 === 0) {
      section++
      out.push(
        `（${['一', '二', '三', '四', '五', '六', '七', '八', '九'][section % 9]}）第${section}组重点工作`,
      )
    }
    i++
    const t = task(i)
    const text = open
      ? // No closing punctuation anywhere, every line broken: the paragraph keeps growing.
        `${(i % 10) + 1}. ${t.title}\n${t.body.replace(/[。，、]/g, ' ')}\n${t.units.replace(/[，、]/g, ' ')}`
      : `${(i % 10) + 1}. ${t.title}。${t.body}【${t.units}】`
    out.push(text)
    size += Buffer.byteLength(text) + 1
  }
  return out.join('\n')
}

export async function docxPlan(bytes: number): Promise<Buffer> {
  const { Document, Packer, Paragraph, Table, TableCell, TableRow } = await import('docx')
  const cell = (text: string) => new TableCell({ children: [new Paragraph(text)] })
  const rows = [
    new TableRow({
      children: ['序号', '工作任务', '具体措施', '牵头单位', '配合单位', '完成时限'].map(cell),
    }),
  ]
  let size = 0
  for (let i = 1; size < bytes; i++) {
    const t = task(i)
    rows.push(new TableRow({ children: [String(i), t.title, t.body, t.lead, t.support, t.due].map(cell) }))
    size += Buffer.byteLength(`${i}${t.title}${t.body}${t.lead}${t.support}${t.due}`)
  }
  const doc = new Document({
    sections: [
      { children: [new Paragraph('江门市2024年度行政执法监督工作任务分解表'), new Table({ rows })] },
    ],
  })
  return Packer.toBuffer(doc)
}

export async function xlsxPlan(bytes: number): Promise<Buffer> {
  const ExcelJS = (await import('exceljs')).default
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('台账')
  sheet.addRow(['江门市2024年度行政执法监督工作台账'])
  sheet.mergeCells('A1:F1')
  sheet.addRow(['序号', '重点任务', '工作措施', '牵头部门', '协办单位', '时间节点'])
  let size = 0
  for (let i = 1; size < bytes; i++) {
    const t = task(i)
    sheet.addRow([i, t.title, t.body, t.lead, t.support, t.due])
    size += Buffer.byteLength(`${i}${t.title}${t.body}${t.lead}${t.support}${t.due}`)
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

async function timeRead(bytes: Buffer, name: string): Promise<{ ms: number; tasks: number }> {
  const t0 = performance.now()
  const plan = await readPlanDocument(bytes, name)
  return { ms: Math.round(performance.now() - t0), tasks: plan.tasks.length }
}

export async function main(): Promise<number> {
  const kinds: { name: string; file: string; make: (bytes: number) => Promise<Buffer> }[] = [
    { name: 'text', file: 'plan.txt', make: (b) => Promise.resolve(Buffer.from(proseText(b, false))) },
    {
      name: 'text, no closing punctuation',
      file: 'plan.txt',
      make: (b) => Promise.resolve(Buffer.from(proseText(b, true))),
    },
    { name: 'docx task table', file: 'plan.docx', make: docxPlan },
    { name: 'xlsx 台账', file: 'plan.xlsx', make: xlsxPlan },
  ]
  // Warm up the lazily loaded readers so the 50 KB time is the parse, not the module load.
  for (const k of kinds) await readPlanDocument(await k.make(5_000), k.file)

  const rows: string[][] = []
  let pass = true
  for (const k of kinds) {
    let base = 0
    // Every document of a kind is made before any is read, so that the garbage of making the
    // 5 MB one (docx and exceljs build large models) is not collected inside a timed read.
    const documents = new Map<number, Buffer>()
    for (const size of SIZES) documents.set(size, await k.make(size))
    for (const size of SIZES) {
      const bytes = documents.get(size) ?? Buffer.alloc(0)
      const { ms, tasks } = await timeRead(bytes, k.file)
      if (size === SIZES[0]) base = Math.max(ms, 1)
      const ratio = ms / (base * (size / (SIZES[0] ?? 1)))
      const ok = size < 5_000_000 || ms <= GOAL_MS
      if (!ok) pass = false
      rows.push([
        k.name,
        `${size / 1000} KB`,
        `${Math.round(bytes.length / 1000)} KB`,
        String(tasks),
        `${ms} ms`,
        size === SIZES[0] ? '1.00' : ratio.toFixed(2),
        size === 5_000_000 ? (ok ? 'ok (≤ 5 s)' : 'FAIL (> 5 s)') : '',
      ])
      console.log(rows[rows.length - 1]?.join('\t'))
    }
  }
  const table = [
    '| document | plan text | file | tasks | read time | time ÷ (50 KB time × size factor) | goal |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
  writeSection(
    'plan-parse',
    `## plan-parse: reading plan documents\n\n${machineLine()}\n\n` +
      'readPlanDocument on generated plans (bench/plan-parse.ts). A ratio near 1 (or below: fixed costs shrink) means time grows linearly with size.\n\n' +
      table,
  )
  return pass ? 0 : 1
}

runIfMain(import.meta.url, main)
