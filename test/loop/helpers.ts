/** What the 督办 loop tests share: a clock, the bot harness, a delivery worker, jobs at a time, the CLI. */
import { buildProgram } from '../../src/cli/main.ts'
import type { CliContext } from '../../src/cli/context.ts'
import type { Db } from '../../src/db/client.ts'
import { createDeliveryWorker } from '../../src/delivery/worker.ts'
import { createTelegramSender } from '../../src/delivery/telegram.ts'
import { zonedInstant } from '../../src/domain/dates.ts'
import { chinaCalendar } from '../../src/domain/working-days.ts'
import { silentLogger } from '../../src/log.ts'
import { runJob } from '../../src/scheduler/run.ts'
import type { SentMessage } from '../../src/sandbox/emulator/index.ts'
import { jobs } from '../../jobs/index.ts'
import { jobByName } from '../../src/scheduler/job.ts'
import type { EmulatorUser } from '../../src/sandbox/emulator/index.ts'
import type { TestDb } from '../helpers/db.ts'
import {
  NOW,
  startHarness,
  testConfig,
  TOKEN,
  TZ,
  useSeededBot,
  type Fixture,
  type Harness,
} from '../bot/harness.ts'

/** A clock the bot, the jobs and the worker share. */
export class Clock {
  constructor(public at: Date) {}
  now = () => this.at
  set(day: string, time: string): Date {
    this.at = zonedInstant(day, time, TZ)
    return this.at
  }
}

export interface Loop {
  /** The bot and its emulator (set before the first test). */
  h: Harness
  /** The seeded fixture (fresh before each test). */
  f: Fixture
  /** The clock the bot, the jobs and the worker share (back at NOW before each test). */
  clock: Clock
}

/**
 * The loop suites' set-up: one bot on a shared clock for the file; before each test an empty
 * database with the fixture, the clock at NOW, and the given people registered through /start in
 * their private chats (`people` names them with their invite codes; `more` adds to the fixture).
 */
export function useLoopHarness(
  t: TestDb,
  people: (f: Fixture, loop: Loop) => Promise<[EmulatorUser, string][]> | [EmulatorUser, string][],
): Loop {
  const loop = { clock: new Clock(NOW) } as Loop
  useSeededBot(t, {
    start: () => startHarness(t.db, { now: loop.clock.now }),
    beforeSeed: () => (loop.clock.at = NOW),
    register: (f) => people(f, loop),
    use: (h, f) => ((loop.h = h), (loop.f = f)),
  })
  return loop
}

/** Sends what is in the outbox through the emulator, until nothing is pending. */
export async function deliver(db: Db, h: Harness, clock: Clock): Promise<void> {
  const worker = createDeliveryWorker({
    db,
    config: testConfig(h.emulator.apiRoot),
    logger: silentLogger,
    telegram: createTelegramSender({ token: TOKEN, apiRoot: h.emulator.apiRoot, timeoutSeconds: 5 }),
    email: null,
    backoff: { baseMs: 20, capMs: 200 },
    idlePollMs: 20,
    now: clock.now,
  })
  await worker.runUntilIdle({ stallMs: 20_000 })
  await worker.stop()
}

/** Runs a job as the scheduler does at `day time` (plan timezone). */
export async function runJobAt(db: Db, h: Harness, clock: Clock, name: string, day: string, time: string) {
  const at = clock.set(day, time)
  const job = jobByName(name, jobs)!
  return runJob(
    { db, config: testConfig(h.emulator.apiRoot), calendar: chinaCalendar, logger: silentLogger },
    job,
    job.defaultOptions ?? {},
    { scheduledAt: at, now: at, late: false },
  )
}

/** The callback data of the button labelled `label` on a bot message. */
export function button(m: SentMessage, label: string | RegExp): string {
  const rows =
    (m.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined)
      ?.inline_keyboard ?? []
  for (const row of rows)
    for (const b of row)
      if (typeof label === 'string' ? b.text === label : label.test(b.text)) return b.callback_data
  throw new Error(`no button ${String(label)} on message ${m.message_id}: ${JSON.stringify(rows)}`)
}

/** The `duban` command line on this database (the test's own connection), capturing stdout bytes. */
export async function duban(
  db: Db,
  h: Harness,
  clock: Clock,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string; bytes: Buffer }> {
  let out = ''
  let err = ''
  const chunks: Buffer[] = []
  const config = testConfig(h.emulator.apiRoot)
  const ctx = {
    output: {
      out: (s: string) => void (out += s.endsWith('\n') ? s : `${s}\n`),
      err: (s: string) => void (err += s.endsWith('\n') ? s : `${s}\n`),
      bytes: (b: Buffer) => {
        chunks.push(Buffer.from(b))
        return Promise.resolve()
      },
    },
    config: () => config,
    db: () => Promise.resolve(db),
    now: clock.now,
  } as unknown as CliContext
  const program = await buildProgram(ctx, argv)
  let code = 0
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (e) {
    code = 1
    err += e instanceof Error ? e.message : String(e)
  }
  return { code, out, err, bytes: Buffer.concat(chunks) }
}
