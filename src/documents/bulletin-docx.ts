/**
 * The 通报 draft as a Word document in 公文 layout (GB/T 9704-2012): A4; margins top 37 mm,
 * bottom 35 mm, left 28 mm, right 26 mm; title in 方正小标宋简体 二号, centred; body in
 * 仿宋_GB2312 三号 (16 pt) at a fixed 29 pt line pitch (22 lines of 28 characters a page);
 * first-level headings in 黑体, second-level in 楷体_GB2312; page numbers in 4号 half-width
 * digits as `— 1 —` at the foot, right on odd pages and left on even ones.
 *
 * The fonts are named in the file, not embedded: Word on the bureau's machines has them (a
 * machine without them substitutes the closest, and the names stay for the clerk to see).
 * The `docx` package is loaded only when a bulletin is written.
 */
import type { Locale } from '../db/schema.ts'
import { bulletinDate, periodLabel, type Bulletin, type RankedUnit } from '../domain/bulletin.ts'
import { messages } from '../i18n/index.ts'

/** Fonts GB/T 9704 names, with Latin text in Times New Roman. */
export const bulletinFonts = {
  title: '方正小标宋简体',
  body: '仿宋_GB2312',
  heading1: '黑体',
  heading2: '楷体_GB2312',
  pageNumber: '宋体',
} as const

const LATIN = 'Times New Roman'
/** Half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt. */
const SIZE = { title: 44, body: 32, pageNumber: 28 }
/** Fixed line pitch in twentieths of a point: 29 pt gives 22 lines in the 225 mm text block. */
const LINE = 580

/** Millimetres in twips, rounded (docx's own helper truncates: A4 would come out 11905 wide). */
const mm = (millimetres: number) => Math.round((millimetres * 1440) / 25.4)

const pct = (rate: number) => (rate * 100).toFixed(1)

/** Units named per item; a longer list ends with "等N个单位" (a province has 1,600 units). */
export const UNITS_NAMED = 10

/** The document's bytes. */
export async function bulletinDocx(b: Bulletin, opts: { today: string; locale?: Locale }): Promise<Buffer> {
  const d = await import('docx')
  const locale = opts.locale ?? 'zh-CN'
  const t = messages(locale).paperwork.bulletin
  const font = (eastAsia: string) => ({ eastAsia, ascii: LATIN, hAnsi: LATIN, cs: LATIN })

  const para = (
    text: string,
    o: { font?: string; indent?: boolean; align?: 'left' | 'right' | 'center' } = {},
  ) =>
    new d.Paragraph({
      alignment:
        o.align === 'center'
          ? d.AlignmentType.CENTER
          : o.align === 'right'
            ? d.AlignmentType.RIGHT
            : d.AlignmentType.JUSTIFIED,
      // Body paragraphs start two characters in (2 × 16 pt = 640 twips).
      indent: o.indent === false ? undefined : { firstLine: 640 },
      children: [new d.TextRun({ text, font: font(o.font ?? bulletinFonts.body), size: SIZE.body })],
    })
  const h1 = (text: string) => para(text, { font: bulletinFonts.heading1 })
  const h2 = (text: string) => para(text, { font: bulletinFonts.heading2 })
  const asOf = bulletinDate(b.asOf, locale)
  const unitLine = (u: RankedUnit) =>
    para(t.unitLine(u.rank, u.unit, u.done, u.tasks, pct(u.rate), u.overdue))
  const [h1Overall, h1Units, h1Problems] = t.headings
  const named = (list: string[]) =>
    list.length <= UNITS_NAMED
      ? list.join(t.listSep)
      : `${list.slice(0, UNITS_NAMED).join(t.listSep)}${t.andMore(list.length - UNITS_NAMED)}`

  const body = [
    new d.Paragraph({
      alignment: d.AlignmentType.CENTER,
      spacing: { line: 700, lineRule: d.LineRuleType.EXACT, after: LINE },
      children: [new d.TextRun({ text: b.title, font: font(bulletinFonts.title), size: SIZE.title })],
    }),
    para(t.addressee, { indent: false }),
    para(t.intro(b.plan.title, periodLabel(b.period, locale), asOf)),
    h1(h1Overall!),
    para(t.overall({ asOf, ...b.totals, rate: pct(b.totals.rate) })),
    h1(h1Units!),
    h2(t.front),
    ...(b.front.length ? b.front.map(unitLine) : [para(t.none)]),
    h2(t.back),
    ...(b.back.length ? b.back.map(unitLine) : [para(t.none)]),
    h1(h1Problems!),
    h2(t.problems),
    ...(b.problems.length
      ? b.problems.map((p) => para(t.problemLine(p.reason, p.units.length, p.items, named(p.units))))
      : [para(t.none)]),
    h2(t.overdueItems),
    ...(b.overdue.length
      ? b.overdue.map((i) =>
          para(
            t.itemLine(
              i.ref,
              i.title,
              i.units.map((u) => t.overdueUnit(u.unit, u.overdueDays)).join(t.listSep),
            ),
          ),
        )
      : [para(t.none)]),
    h2(t.returnedItems),
    ...(b.returned.length
      ? b.returned.map((i) => para(t.itemLine(i.ref, i.title, named(i.units.map((u) => u.unit)))))
      : [para(t.none)]),
    h1(t.nextSteps),
    para(''),
    para(t.signature, { align: 'right', indent: false }),
    para(bulletinDate(opts.today, locale), { align: 'right', indent: false }),
  ]

  const [numberBefore = '', numberAfter = ''] = t.pageNumber('\u0000').split('\u0000')
  const pageNumber = (align: 'left' | 'right') =>
    new d.Paragraph({
      alignment: align === 'right' ? d.AlignmentType.RIGHT : d.AlignmentType.LEFT,
      // One character in from the text block's edge, as GB/T 9704 places it.
      indent: align === 'right' ? { right: 280 } : { left: 280 },
      children: [
        new d.TextRun({
          children: [numberBefore, d.PageNumber.CURRENT, numberAfter],
          font: font(bulletinFonts.pageNumber),
          size: SIZE.pageNumber,
        }),
      ],
    })

  const doc = new d.Document({
    creator: messages(locale).common.appName,
    title: b.title,
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: {
          run: { font: font(bulletinFonts.body), size: SIZE.body },
          paragraph: { spacing: { line: LINE, lineRule: d.LineRuleType.EXACT, before: 0, after: 0 } },
        },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: mm(210), height: mm(297), orientation: d.PageOrientation.PORTRAIT },
            // The page number sits 7 mm below the text block: 35 mm − 7 mm − its own line.
            margin: { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26), footer: mm(21) },
          },
        },
        footers: {
          default: new d.Footer({ children: [pageNumber('right')] }),
          even: new d.Footer({ children: [pageNumber('left')] }),
        },
        children: body,
      },
    ],
  })
  return d.Packer.toBuffer(doc)
}
