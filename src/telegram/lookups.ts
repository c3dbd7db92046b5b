/**
 * The lookups nearly every update needs: who is speaking (person by numeric Telegram id), where
 * (the bound chat), and, for replies, which prompt and tasks are answered. Each is remembered
 * for a short time per bot, so a burst of replies (Friday's prompts) does not read the same rows
 * for every message.
 *
 * What the memory costs, and why it is safe: every administrative change (a person deactivated,
 * a group bound or unbound, from the command line or another replica) advances the access stamp
 * in the same transaction (src/domain/audit.ts), and `syncAccess()`, run on each update, forgets
 * every remembered person and chat when the stamp moved. Changes made through this bot are seen
 * at once too: registration, /bind and group migration forget what they change. Prompts never
 * change once sent (a task's title edited by a plan re-import shows after `promptTtlMs`); a message
 * that is not a prompt is never remembered, since the delivery worker may attach it a moment later.
 */
import { inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { tasks as tasksTable } from '../db/schema.ts'
import { findBoundPerson, type Person } from '../domain/people.ts'
import { accessVersion } from '../domain/audit.ts'
import { chatByTelegramId, type BoundChat } from '../domain/chats.ts'
import { promptByMessage, type Prompt } from '../domain/prompts.ts'

export interface LookupOptions {
  /** How long a person or chat is remembered; 0 reads the database every time. Default 10 s. */
  ttlMs?: number
  /** How long a prompt and its tasks are remembered. Default 60 s (0 when ttlMs is 0). */
  promptTtlMs?: number
  /** Entries kept per kind (oldest dropped first). Default 5000. */
  max?: number
  /** Milliseconds clock; injectable for tests. */
  clock?: () => number
}

/** A prompt's task as confirmations name it. */
export interface PromptTask {
  id: number
  ref: string
  title: string
}

export interface PromptWithTasks {
  prompt: Prompt
  /** In the prompt's numbering (1..n); a task deleted since is null. */
  tasks: (PromptTask | null)[]
}

class Memory<V> {
  private entries = new Map<string, { value: V; until: number }>()

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly clock: () => number,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key)
    if (!e) return undefined
    if (e.until <= this.clock()) {
      this.entries.delete(key)
      return undefined
    }
    return e.value
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return
    this.entries.delete(key)
    this.entries.set(key, { value, until: this.clock() + this.ttlMs })
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!)
  }

  delete(key: string): void {
    this.entries.delete(key)
  }

  clear(): void {
    this.entries.clear()
  }
}

/** The tasks of a prompt in its numbering. */
export async function promptTasks(db: Db, prompt: Prompt): Promise<(PromptTask | null)[]> {
  if (prompt.taskIds.length === 0) return []
  const rows = await db
    .select({ id: tasksTable.id, ref: tasksTable.ref, title: tasksTable.title })
    .from(tasksTable)
    .where(inArray(tasksTable.id, prompt.taskIds))
  const byId = new Map(rows.map((r) => [r.id, r]))
  return prompt.taskIds.map((id) => byId.get(id) ?? null)
}

/** Per-bot remembered lookups (see the module comment for what may be stale and for how long). */
export class Lookups {
  private readonly people: Memory<Person | null>
  private readonly ttlMs: number
  private accessStamp: number | undefined
  private readonly chats: Memory<BoundChat | null>
  private readonly prompts: Memory<PromptWithTasks>

  constructor(
    private readonly db: Db,
    options: LookupOptions = {},
  ) {
    const ttl = options.ttlMs ?? 10_000
    this.ttlMs = ttl
    const clock = options.clock ?? Date.now
    const max = options.max ?? 5000
    this.people = new Memory(ttl, max, clock)
    this.chats = new Memory(ttl, max, clock)
    this.prompts = new Memory(ttl > 0 ? (options.promptTtlMs ?? 60_000) : 0, max, clock)
  }

  /**
   * Forgets every remembered person and chat when an administrative change happened anywhere since
   * the last update (the access stamp moved: audit.ts). One primary-key read per update, so a
   * deactivation or unbinding from the command line counts from the very next update.
   */
  async syncAccess(): Promise<void> {
    if (this.ttlMs <= 0) return
    const stamp = await accessVersion(this.db)
    if (stamp === this.accessStamp) return
    this.accessStamp = stamp
    this.people.clear()
    this.chats.clear()
  }

  /** The person bound to this Telegram user id, active or not, or null. */
  private async boundPerson(telegramUserId: number): Promise<Person | null> {
    const key = String(telegramUserId)
    const known = this.people.get(key)
    if (known !== undefined) return known
    const person = await findBoundPerson(this.db, telegramUserId)
    this.people.set(key, person)
    return person
  }

  /** The active person bound to this Telegram user id, or null. */
  async person(telegramUserId: number): Promise<Person | null> {
    const person = await this.boundPerson(telegramUserId)
    return person?.active ? person : null
  }

  /** True when this Telegram user is bound to a person whose access was ended. */
  async deactivated(telegramUserId: number): Promise<boolean> {
    const person = await this.boundPerson(telegramUserId)
    return person !== null && !person.active
  }

  /** The binding of a group, or null when nobody bound it. */
  async chat(telegramChatId: number): Promise<BoundChat | null> {
    const key = String(telegramChatId)
    const known = this.chats.get(key)
    if (known !== undefined) return known
    const chat = await chatByTelegramId(this.db, telegramChatId)
    this.chats.set(key, chat)
    return chat
  }

  /** The prompt a bot message is, with its tasks; null when it is not a prompt. */
  async prompt(telegramChatId: number, messageId: number): Promise<PromptWithTasks | null> {
    const key = `${telegramChatId}:${messageId}`
    const known = this.prompts.get(key)
    if (known) return known
    const prompt = await promptByMessage(this.db, telegramChatId, messageId)
    if (!prompt) return null
    const found = { prompt, tasks: await promptTasks(this.db, prompt) }
    this.prompts.set(key, found)
    return found
  }

  /** Forgets a Telegram user (after registration changed who they are). */
  forgetPerson(telegramUserId: number): void {
    this.people.delete(String(telegramUserId))
  }

  /** Forgets a chat (after binding or migration changed it). */
  forgetChat(telegramChatId: number): void {
    this.chats.delete(String(telegramChatId))
  }
}
