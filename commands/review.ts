/**
 * 审核 in Telegram: the review card's buttons and the return reason.
 *
 * 通过（销号）closes the item at once. 退回整改 asks the pressing supervisor, by a force-reply
 * question under the card, for the reason and optionally a new date (default: 5 working days);
 * their reply returns the item. Only supervisors and admins may decide; every press re-checks
 * that the review is still open.
 */
import { Composer } from 'grammy'
import { formatMonthDay } from '../src/domain/dates.ts'
import { dateInText } from '../src/domain/loop.ts'
import { LocalizedUserError } from '../src/errors.ts'
import {
  checkReviewable,
  defaultRectifyDue,
  rememberReturnQuestion,
  reviewByQuestion,
} from '../src/domain/reviews.ts'
import { approveReview, returnReview } from '../src/delivery/loop-notify.ts'
import { chinaCalendar } from '../src/domain/working-days.ts'
import { decodeLoopButton } from '../src/telegram/loop-buttons.ts'
import { type BotContext, clip, planToday, refuse, replyHtml } from '../src/telegram/context.ts'
import { escapeHtml } from '../src/telegram/html.ts'

const composer = new Composer<BotContext>()

composer.on('callback_query:data', async (ctx, next) => {
  const button = decodeLoopButton(ctx.callbackQuery.data)
  if (button?.kind !== 'review') return next()
  const person = ctx.person
  if (!person) return refuse(ctx, ctx.t.buttons.notRegistered, 'review_stranger')
  const message = ctx.callbackQuery.message
  const actor = { id: person.id, role: person.role }
  try {
    if (button.approve) {
      const { assignment: a } = await approveReview(ctx.deps.db, {
        reviewId: button.reviewId,
        actor,
        now: ctx.deps.now(),
        today: planToday(ctx),
        telegramChatId: message?.chat.id,
        telegramMessageId: message?.message_id,
      })
      const text = ctx.texts.loop.review.approved(a.unit, clip(a.title))
      await ctx.answerCallbackQuery({ text: clip(text, 190) })
      if (message)
        await ctx.api.sendMessage(message.chat.id, escapeHtml(text), {
          parse_mode: 'HTML',
          reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
        })
      return
    }
    const { assignment: a } = await checkReviewable(ctx.deps.db, button.reviewId, actor)
    if (!message) return
    const due = formatMonthDay(defaultRectifyDue(chinaCalendar, planToday(ctx)), ctx.locale)
    const sent = await ctx.api.sendMessage(
      message.chat.id,
      escapeHtml(ctx.texts.loop.review.askReturn(a.unit, clip(a.title), due)),
      {
        parse_mode: 'HTML',
        reply_markup: { force_reply: true, selective: true },
        reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
      },
    )
    await rememberReturnQuestion(ctx.deps.db, button.reviewId, person.id, sent.chat.id, sent.message_id)
    await ctx.answerCallbackQuery()
  } catch (err) {
    if (err instanceof LocalizedUserError)
      return refuse(ctx, escapeHtml(err.text(ctx.locale)), 'review_refused', { reviewId: button.reviewId })
    throw err
  }
})

composer.on('message:text', async (ctx, next) => {
  const replyTo = ctx.msg.reply_to_message
  if (!replyTo || replyTo.from?.id !== ctx.me.id) return next()
  const review = await reviewByQuestion(ctx.deps.db, ctx.chat.id, replyTo.message_id)
  if (!review) return next()
  const person = ctx.person
  if (!person) return refuse(ctx, ctx.t.refusals.notRegistered, 'review_stranger')
  const day = planToday(ctx)
  const found = dateInText(ctx.msg.text, day)
  try {
    const { assignment: a, due } = await returnReview(ctx.deps.db, {
      reviewId: review.id,
      actor: { id: person.id, role: person.role },
      reason: found ? found.rest : ctx.msg.text,
      due: found?.date ?? defaultRectifyDue(chinaCalendar, day),
      today: day,
      now: ctx.deps.now(),
      telegramChatId: ctx.chat.id,
      telegramMessageId: ctx.msg.message_id,
    })
    await replyHtml(
      ctx,
      escapeHtml(ctx.texts.loop.review.returned(a.unit, clip(a.title), formatMonthDay(due, ctx.locale))),
    )
  } catch (err) {
    if (err instanceof LocalizedUserError)
      return refuse(ctx, escapeHtml(err.text(ctx.locale)), 'review_return_refused', { reviewId: review.id })
    throw err
  }
})

export { composer as reviewFeature }
