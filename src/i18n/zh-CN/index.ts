/** All zh-CN texts, one file per area. The English locale mirrors this shape exactly. */
import common from './common.ts'

export default { common }
