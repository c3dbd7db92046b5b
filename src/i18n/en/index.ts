import common from './common.ts'
import status from './status.ts'
import bot from './bot.ts'

export default { common, status, bot }
