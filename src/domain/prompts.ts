/**
 * Prompts: the bot's messages asking a unit about some tasks. A reply to one is matched through
 * its (chat, message) ids, and its numbers name the tasks in the prompt's order.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { prompts } from '../db/schema.ts'

export interface Prompt {
  id: number
  unitId: number
  /** The tasks asked about, numbered 1..n in this order in the message. */
  taskIds: number[]
  kind: string
  telegramChatId: number | null
  telegramMessageId: number | null
  createdAt: Date
}

/** Records a prompt before it is sent; the message ids are attached once Telegram accepted it. */
export async function createPrompt(
  db: Db,
  input: { unitId: number; taskIds: number[]; kind: string; now?: Date },
): Promise<{ id: number }> {
  if (input.taskIds.length === 0) throw new Error('a prompt asks about at least one task')
  const [row] = await db
    .insert(prompts)
    .values({ unitId: input.unitId, taskIds: input.taskIds, kind: input.kind, createdAt: input.now })
    .returning({ id: prompts.id })
  return row!
}

/** The prompt a (chat, message) is, or null when that message is not a prompt. */
export async function promptByMessage(
  db: Db,
  telegramChatId: number,
  telegramMessageId: number,
): Promise<Prompt | null> {
  const [row] = await db
    .select({
      id: prompts.id,
      unitId: prompts.unitId,
      taskIds: prompts.taskIds,
      kind: prompts.kind,
      telegramChatId: prompts.telegramChatId,
      telegramMessageId: prompts.telegramMessageId,
      createdAt: prompts.createdAt,
    })
    .from(prompts)
    .where(and(eq(prompts.telegramChatId, telegramChatId), eq(prompts.telegramMessageId, telegramMessageId)))
  return row ?? null
}

/** Stores where a prompt landed so replies to it can be matched. */
export async function attachPromptMessage(
  db: Db,
  promptId: number,
  telegramChatId: number,
  telegramMessageId: number,
): Promise<void> {
  await db.update(prompts).set({ telegramChatId, telegramMessageId }).where(eq(prompts.id, promptId))
}
