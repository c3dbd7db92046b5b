import common from './common.ts'
import status from './status.ts'

export default { common, status }
