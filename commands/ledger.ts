/**
 * `/ledger [YYYY-MM-DD]` (supervisors and admins): the 工作台账 workbook sent into the chat as a
 * file, as of now or the end of the day named. Liaisons are refused: the ledger covers every unit.
 */
import { Composer, InputFile } from 'grammy'
import { readsAllUnits } from '../src/domain/access.ts'
import { LocalizedUserError } from '../src/errors.ts'
import { ledgerWorkbookData, ledgerXlsxBuffer } from '../src/documents/ledger-xlsx.ts'
import { refuse, replyHtml, type BotContext } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'

const composer = new Composer<BotContext>()

composer.command('ledger', async (ctx) => {
  const t = ctx.texts.paperwork
  if (!readsAllUnits(ctx.person)) return refuse(ctx, t.bot.supervisorsOnly, 'ledger_not_supervisor')
  const { db, config, now } = ctx.deps
  const asOf = ctx.match.trim() || undefined
  let data
  try {
    data = await ledgerWorkbookData(db, { asOf, now: now(), tz: config.timezone }, ctx.locale)
  } catch (err) {
    if (err instanceof LocalizedUserError) return replyHtml(ctx, escapeHtml(err.text(ctx.locale)))
    throw err
  }
  const { ledger } = data
  const file = new InputFile(await ledgerXlsxBuffer(data), `工作台账-${ledger.asOf}.xlsx`)
  await ctx.replyWithDocument(file, {
    caption: t.bot.caption(ledger.plan.title, ledger.asOf, ledger.rows.length),
    ...(ctx.chat.type !== 'private'
      ? { reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } }
      : {}),
  })
})

export { composer as ledgerFeature }
