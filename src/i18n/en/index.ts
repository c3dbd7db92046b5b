import common from './common.ts'
import scheduler from './scheduler.ts'
import status from './status.ts'
import bot from './bot.ts'

export default { common, status, bot, scheduler }
