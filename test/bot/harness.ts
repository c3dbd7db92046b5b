/**
 * The bot under test: the real bot (startBot, long polling through the runner) against the Bot API
 * emulator over HTTP, on a describeDb database with a small Taishan fixture inserted through the
 * domain functions (units, a plan with three tasks, people with invites, a bound group, officers).
 */
import { afterAll, beforeAll, beforeEach } from 'vitest'
import type { Db } from '../../src/db/client.ts'
import type { TestDb } from '../helpers/db.ts'
import { loadConfig, type Config } from '../../src/config.ts'
import { silentLogger, type Logger } from '../../src/log.ts'
import { importUnits, listUnits } from '../../src/domain/units.ts'
import { activePlanTasks } from '../../src/domain/plans.ts'
import { importPlan } from '../../src/domain/plan-import.ts'
import { readDeadlinePhrase } from '../../src/domain/deadline-phrase.ts'
import type { ResponsibilityEntry } from '../../src/domain/plan-draft.ts'
import { addPerson, type Person } from '../../src/domain/people.ts'
import { createInvite } from '../../src/domain/invites.ts'
import { bindChat } from '../../src/domain/chats.ts'
import { attachPromptMessage, createPrompt } from '../../src/domain/prompts.ts'
import { importOfficers } from '../../src/domain/training.ts'
import { BotApiEmulator, type EmulatorUser, type SentMessage } from '../../src/sandbox/emulator/index.ts'
import type { EmulatorLimits } from '../../src/sandbox/emulator/types.ts'
import { root } from '../../bin/root.ts'
import { startBot, type CreateBotDeps, type RunningBot } from '../../src/telegram/bot.ts'
import { statusButtons } from '../../src/telegram/callback-data.ts'
import { escapeHtml } from '../../src/telegram/html.ts'

export const TOKEN = '123456789:AAH5ex-ample_TokenForTheBotTests00'
/** 2024-10-15 10:00 in Taishan: 二（五）2 is due 10月20日 (in 5 days), 二（一）1 on 11月30日. */
export const NOW = new Date('2024-10-15T02:00:00Z')
export const TZ = 'Asia/Shanghai'

export const users = {
  liaison: { id: 5_000_001, first_name: '李明', username: 'liming' },
  supervisor: { id: 5_000_002, first_name: '王督办', username: 'wangdb' },
  doushanLiaison: { id: 5_000_003, first_name: '赵六', username: 'zhaoliu' },
  admin: { id: 5_000_004, first_name: '管理员', username: 'admin_tsj' },
  stranger: { id: 5_000_099, first_name: 'Eve', username: 'eve' },
} satisfies Record<string, EmulatorUser>

export const groups = {
  taicheng: { id: -1_001_000_000_001, type: 'supergroup' as const, title: '台城街道督办群' },
  supervisors: { id: -1_001_000_000_002, type: 'supergroup' as const, title: '督办组' },
  unknown: { id: -1_001_000_000_099, type: 'supergroup' as const, title: '闲聊群' },
}

export interface Fixture {
  units: { taicheng: number; doushan: number; dajiang: number }
  tasks: { fines: number; publicity: number; training: number }
  people: { liaison: Person; supervisor: Person; doushanLiaison: Person; admin: Person }
  invites: { liaison: string; supervisor: string; doushanLiaison: string; admin: string; expired: string }
}

export interface FixtureNames {
  taicheng?: string
  finesTitle?: string
  liaisonName?: string
}

/** Inserts the fixture through the domain functions; hostile names can replace the plain ones. */
export async function seed(db: Db, names: FixtureNames = {}): Promise<Fixture> {
  const taichengName = names.taicheng ?? '台城街道'
  await importUnits(db, [
    {
      name: taichengName,
      shortName: names.taicheng ? undefined : '台城',
      kind: 'subdistrict',
      aliases: ['台城'],
    },
    { name: '斗山镇', kind: 'town' },
    { name: '大江镇', kind: 'town' },
  ])
  const deadline = (phrase: string) => readDeadlinePhrase(phrase, 2024).deadline
  // Names as given (a hostile name stays one unit): every unit responsible.
  const responsible = (...phrases: string[]): ResponsibilityEntry[] =>
    phrases.map((phrase) => ({ phrase, role: 'responsible' }))
  const source = (text: string) => ({ text })
  await importPlan(
    db,
    {
      title: '台山市2024年度行政执法监督工作方案',
      year: 2024,
      trainingHoursPerYear: 60,
      format: 'yaml',
      doubts: [],
      tasks: [
        {
          ref: '二（五）2',
          section: '开展行政执法领域突出问题专项整治',
          title: names.finesTitle ?? '开展涉企乱罚款专项整治',
          body: '',
          unitsText: `${taichengName}、斗山镇`,
          responsibility: responsible(taichengName, '斗山镇'),
          source: source('开展涉企乱罚款专项整治'),
          deadline: deadline('今年10月中旬前'),
        },
        {
          ref: '二（一）1',
          section: '全面推行行政执法三项制度',
          title: '全面推行行政执法公示制度',
          body: '',
          unitsText: taichengName,
          responsibility: responsible(taichengName),
          source: source('全面推行行政执法公示制度'),
          deadline: deadline('今年11月底前'),
        },
        {
          ref: '三（二）1',
          section: '加强执法队伍建设',
          title: '组织执法人员培训',
          body: '',
          unitsText: '斗山镇、大江镇',
          responsibility: responsible('斗山镇', '大江镇'),
          source: source('组织执法人员培训'),
          deadline: deadline('今年10月10日前'),
        },
      ],
    },
    { now: NOW },
  )
  const all = await listUnits(db)
  const unitId = (name: string) => all.find((u) => u.name === name)!.id
  const tasks = (await activePlanTasks(db))!.tasks
  const taskId = (ref: string) => tasks.find((t) => t.ref === ref)!.id

  const liaison = await addPerson(db, {
    name: names.liaisonName ?? '李明',
    role: 'liaison',
    unit: taichengName,
  })
  const supervisor = await addPerson(db, { name: '王督办', role: 'supervisor' })
  const doushanLiaison = await addPerson(db, { name: '赵六', role: 'liaison', unit: '斗山镇' })
  const admin = await addPerson(db, { name: '陈管理', role: 'admin' })
  const invite = async (p: Person) => (await createInvite(db, p.id, NOW)).code
  const expired = (await createInvite(db, liaison.id, new Date(NOW.getTime() - 8 * 86_400_000))).code

  await bindChat(db, groups.taicheng.id, '台城', { title: groups.taicheng.title })
  await bindChat(db, groups.supervisors.id, 'supervisors', { title: groups.supervisors.title })
  await importOfficers(db, `unit,name,hours\n台城,张三,30\n台城,李四,10\n`, NOW, TZ)

  return {
    units: { taicheng: unitId(taichengName), doushan: unitId('斗山镇'), dajiang: unitId('大江镇') },
    tasks: { fines: taskId('二（五）2'), publicity: taskId('二（一）1'), training: taskId('三（二）1') },
    people: { liaison, supervisor, doushanLiaison, admin },
    invites: {
      liaison: await invite(liaison),
      supervisor: await invite(supervisor),
      doushanLiaison: await invite(doushanLiaison),
      admin: await invite(admin),
      expired,
    },
  }
}

export function testConfig(apiRoot: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    TIMEZONE: TZ,
    LOG_LEVEL: 'silent',
    ...extra,
  })
}

export interface Harness {
  emulator: BotApiEmulator
  running: RunningBot
  /** Everything the bot sent into a chat after `since` (a count of earlier messages). */
  sentSince(chatId: number, since: number): SentMessage[]
  /** Sends as a person and waits for the bot's next message in that chat. */
  say(
    from: EmulatorUser,
    chat: { id: number; type?: 'private' | 'group' | 'supergroup'; title?: string },
    text: string,
    opts?: { replyTo?: number },
  ): Promise<SentMessage>
  /** Waits until the bot has sent `count` messages more than `since` into the chat. */
  waitForCount(chatId: number, count: number): Promise<SentMessage[]>
  /** Waits until every queued update was fetched and the bot is idle again. */
  settle(): Promise<void>
  stop(): Promise<void>
}

/** Starts the emulator and the real bot polling it. */
export async function startHarness(
  db: Db,
  opts: {
    logger?: Logger
    rateLimit?: CreateBotDeps['rateLimit']
    now?: () => Date
    /** Default: nothing remembered, since suites rewrite the database under a running bot. */
    lookups?: CreateBotDeps['lookups']
    /** More settings for the bot's config (e.g. PUBLIC_URL). */
    env?: Record<string, string>
    /**
     * The answers' pacing (default: on, with limits far above Telegram's, so suites about what
     * the bot says are not slowed by the 1-per-second pace within a chat).
     */
    pacing?: CreateBotDeps['pacing']
    /** The emulator's limits (default: counted, not enforced). */
    limits?: EmulatorLimits
  } = {},
): Promise<Harness> {
  const emulator = await BotApiEmulator.start({
    limits: opts.limits ?? { enforce: false },
    knownChats: [groups.taicheng, groups.supervisors],
  })
  const running = await startBot({
    db,
    config: testConfig(emulator.apiRoot, opts.env),
    logger: opts.logger ?? silentLogger,
    now: opts.now ?? (() => NOW),
    rateLimit: opts.rateLimit ?? false,
    lookups: opts.lookups ?? { ttlMs: 0 },
    pacing: opts.pacing ?? {
      limits: { perSecond: 1000, perChatPerSecond: 100, groupPerMinute: 100_000 },
      chatMarginMs: 0,
    },
    features: await root.botFeatures(),
  })
  const settle = async () => {
    // Idle twice in a row: nothing queued at the emulator and nothing being handled by the bot.
    let idle = 0
    for (let i = 0; i < 1000 && idle < 2; i++) {
      await new Promise((r) => setTimeout(r, 15))
      idle = emulator.pendingUpdates === 0 && running.busy() === 0 ? idle + 1 : 0
    }
    if (idle < 2) throw new Error('the bot did not settle')
  }
  const h: Harness = {
    emulator,
    running,
    sentSince: (chatId, since) => emulator.sentMessages(chatId).slice(since),
    async say(from, chat, text, o = {}) {
      const before = emulator.sentMessages(chat.id).length
      emulator.sendText(from, chat, text, o)
      return emulator.waitFor((sent) => sent.filter((m) => m.chat_id === chat.id)[before])
    },
    async waitForCount(chatId, count) {
      return emulator.waitFor((sent) => {
        const mine = sent.filter((m) => m.chat_id === chatId)
        return mine.length >= count ? mine : undefined
      })
    },
    settle,
    async stop() {
      await running.stop()
      await emulator.stop()
    },
  }
  return h
}

/**
 * Sends a status prompt into a chat the way the delivery worker does: the prompt row first, the
 * message with the three buttons, then the message id attached. Returns the prompt id and message.
 */
export async function sendPrompt(
  h: Harness,
  db: Db,
  chatId: number,
  unitId: number,
  taskIds: number[],
  text = '【督办提醒】请直接回复本消息：已完成 / 进行中 80% / 有困难：原因',
): Promise<{ promptId: number; messageId: number }> {
  const prompt = await createPrompt(db, { unitId, taskIds, kind: 'reminder' })
  const sent = await h.running.bot.api.sendMessage(chatId, escapeHtml(text), {
    parse_mode: 'HTML',
    reply_markup: statusButtons(prompt.id, taskIds.length === 1 ? 1 : 0, 'zh-CN'),
  })
  await attachPromptMessage(db, prompt.id, sent.chat.id, sent.message_id)
  return { promptId: prompt.id, messageId: sent.message_id }
}

/** HTTP 400 answers the emulator gave (unescaped HTML, too long, bad markup…). */
export function rejectedCalls(h: Harness) {
  return h.emulator.calls().filter((c) => c.code === 400)
}

/**
 * A suite's set-up around one bot for the whole file. `start` starts it (default: a bot harness;
 * the web harness holds one, named by `bot`). Before each test: the bot idle, `beforeSeed` (a
 * clock put back), the database empty with the fixture, the emulator's record cleared, and the
 * people `register` names bound through /start in their private chats. `use` is given the
 * harness once started and the fixture after each set-up.
 */
export function useSeededBot<H extends { stop(): Promise<void> } = Harness>(
  t: TestDb,
  opts: {
    start?: () => Promise<H>
    bot?: (h: H) => Harness
    beforeSeed?: () => void
    register?: (f: Fixture) => [EmulatorUser, string][] | Promise<[EmulatorUser, string][]>
    use: (h: H, f: Fixture) => void
  },
): void {
  let h: H
  const start = opts.start ?? (() => startHarness(t.db) as unknown as Promise<H>)
  const bot = opts.bot ?? ((x: H) => x as unknown as Harness)
  beforeAll(async () => {
    h = await start()
  }, 120_000)
  afterAll(async () => {
    await h.stop()
  })
  beforeEach(async () => {
    await bot(h).settle()
    opts.beforeSeed?.()
    await t.reset()
    bot(h).emulator.reset()
    const f = await seed(t.db)
    opts.use(h, f)
    for (const [u, code] of (await opts.register?.(f)) ?? [])
      await bot(h).say(u, { id: u.id, type: 'private' }, `/start ${code}`)
  })
}
