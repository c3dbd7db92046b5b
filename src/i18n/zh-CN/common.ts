/** Words used across features: states, unit kinds, roles. */
export default {
  appName: '督办助手',
  states: {
    not_started: '未开始',
    in_progress: '进行中',
    done: '已完成',
    blocked: '有困难',
    no_reply: '无回复',
  },
  unitKinds: { subdistrict: '街道', town: '镇', department: '市直部门', county: '县（市、区）' },
  assignmentRoles: { lead: '牵头', responsible: '负责', support: '配合' },
  roles: { liaison: '联络员', supervisor: '督办人员', admin: '管理员', leader: '分管领导' },
}
