/**
 * Every bot feature, one file each under commands/, in the order they get a chance at an update.
 * Only the composition root (bin/root.ts) reads this and hands it to `createBot`.
 */
import type { BotFeatures } from '../src/telegram/bot.ts'
import { chatMigrationFeature } from './chat-migration.ts'
import { startFeature } from './start.ts'
import { helpFeature } from './help.ts'
import { bindFeature } from './bind.ts'
import { unbindFeature } from './unbind.ts'
import { statusFeature } from './status.ts'
import { tasksFeature } from './tasks.ts'
import { reportFeature } from './report.ts'
import { hoursFeature } from './hours.ts'
import { deadlinesFeature } from './deadlines.ts'
import { overdueFeature } from './overdue.ts'
import { remindFeature } from './remind.ts'
import { digestFeature } from './digest.ts'
import { ledgerFeature } from './ledger.ts'
import { webFeature } from './web.ts'
import { buttonsFeature } from './buttons.ts'
import { statusReplyFeature } from './status-reply.ts'
import { fallbackFeature } from './fallback.ts'
import { reviewFeature } from './review.ts'
import { receiptFeature } from './receipt.ts'
import { evidenceFeature } from './evidence.ts'
import { extendFeature } from './extend.ts'
import { awayFeature } from './away.ts'
import { historyFeature } from './history.ts'

/** A fresh set of features for one bot (the buttons remember what they showed, per bot). */
export function botFeatures(): BotFeatures {
  return {
    // Group life-cycle messages (migration, removal) count even where the gate would stay silent.
    ungated: [chatMigrationFeature],
    gated: [
      startFeature,
      helpFeature,
      bindFeature,
      unbindFeature,
      statusFeature,
      tasksFeature,
      reportFeature,
      hoursFeature,
      deadlinesFeature,
      overdueFeature,
      remindFeature,
      digestFeature,
      ledgerFeature,
      // The 督办 loop: review buttons and return reasons, 签收, evidence files.
      reviewFeature,
      receiptFeature,
      evidenceFeature,
      extendFeature,
      awayFeature,
      historyFeature,
      webFeature,
      buttonsFeature(),
      statusReplyFeature,
      fallbackFeature,
    ],
  }
}
