/** All zh-CN texts, one file per area. The English locale mirrors this shape exactly. */
import common from './common.ts'
import delivery from './delivery.ts'
import plan from './plan.ts'
import planDocuments from './plan-documents.ts'
import scheduler from './scheduler.ts'
import status from './status.ts'
import bot from './bot.ts'
import statusView from './status-view.ts'
import rhythm from './rhythm.ts'
import planLedger from './plan-ledger.ts'
import paperwork from './paperwork.ts'
import loop from './loop.ts'
import web from './web.ts'
import access from './access.ts'

export default {
  common,
  delivery,
  plan,
  planDocuments,
  status,
  bot,
  statusView,
  scheduler,
  rhythm,
  planLedger,
  paperwork,
  loop,
  web,
  access,
}
