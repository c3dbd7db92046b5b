/**
 * What the composition root (bin/root.ts) hands the service and the command line: the bot's
 * features (commands/) and the scheduled jobs (jobs/). Nothing under src/ imports those folders;
 * they arrive through this, loaded on first use so a quick CLI command never loads the bot.
 */
import type { Job } from './scheduler/job.ts'
import type { BotFeatures } from './telegram/bot.ts'

export interface AppParts {
  /** Every scheduled job. */
  jobs(): Promise<readonly Job[]>
  /** A fresh set of bot features for one bot. */
  botFeatures(): Promise<BotFeatures>
}
