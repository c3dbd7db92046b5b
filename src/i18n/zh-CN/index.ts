/** All zh-CN texts, one file per area. The English locale mirrors this shape exactly. */
import common from './common.ts'
import delivery from './delivery.ts'
import plan from './plan.ts'
import scheduler from './scheduler.ts'
import status from './status.ts'
import bot from './bot.ts'
import statusView from './status-view.ts'
import rhythm from './rhythm.ts'
import access from './access.ts'

export default { common, delivery, plan, status, bot, statusView, scheduler, rhythm, access }
