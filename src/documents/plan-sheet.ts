/**
 * The plan as a 任务分解表 (.xlsx) a clerk edits in WPS or Excel and imports back: one row per task
 * and unit, with the columns the xlsx plan reader recognises by header (序号, 任务编号, 工作任务,
 * 具体措施, 责任单位, 角色, 完成时限, 截止日期). exceljs is loaded only here, when a sheet is written.
 */
import type { Db } from '../db/client.ts'
import { messages } from '../i18n/index.ts'
import { listPlanTasks, type Plan } from '../domain/plans.ts'

/** The header row, exactly as the reader expects it (zh-CN, whatever the admin's locale). */
export const PLAN_SHEET_HEADER = messages('zh-CN').planLedger.exportHeader

/** The rows of a plan's 任务分解表 (without the header): one per task and unit, lead first. */
export async function planSheetRows(db: Db, planId: number): Promise<(string | number)[][]> {
  const roleLabels = messages('zh-CN').planLedger.roleLabels
  const rows: (string | number)[][] = []
  let n = 0
  for (const t of await listPlanTasks(db, planId)) {
    const due = t.deadlineKind === 'series' ? t.dates.join('、') : (t.dueDate ?? '')
    const base = [t.ref, t.title, t.body]
    const tail = [t.dueText ?? '', due]
    if (t.assignments.length === 0) rows.push([++n, ...base, '', '', ...tail])
    for (const a of t.assignments) rows.push([++n, ...base, a.unit.name, roleLabels[a.role], ...tail])
  }
  return rows
}

/** Writes the plan's 任务分解表 to `file` (.xlsx) and returns the number of task rows. */
export async function exportPlanSheet(db: Db, plan: Plan, file: string): Promise<number> {
  const rows = await planSheetRows(db, plan.id)
  const { default: ExcelJS } = await import('exceljs')
  const workbook = new ExcelJS.Workbook()
  workbook.title = plan.title
  const sheet = workbook.addWorksheet(messages('zh-CN').planLedger.exportSheet)
  // The title and year above the table, as a 任务分解表 is usually headed; the reader finds the
  // header row by its names, below.
  sheet.addRow([messages('zh-CN').planLedger.exportPlanNote(plan.title, plan.year)])
  sheet.addRow([...PLAN_SHEET_HEADER]).font = { bold: true }
  for (const row of rows) sheet.addRow(row)
  const widths = [6, 12, 36, 48, 24, 8, 18, 24]
  widths.forEach((w, i) => (sheet.getColumn(i + 1).width = w))
  sheet.views = [{ state: 'frozen', ySplit: 2 }]
  await workbook.xlsx.writeFile(file)
  return rows.length
}
