import type zh from '../zh-CN/common.ts'

export default {
  appName: 'duban',
  states: {
    not_started: 'not started',
    in_progress: 'in progress',
    done: 'done',
    blocked: 'blocked',
    no_reply: 'no reply',
  },
  unitKinds: {
    subdistrict: 'subdistrict',
    town: 'town',
    department: 'city department',
    county: 'county',
  },
  assignmentRoles: { lead: 'lead', responsible: 'responsible', support: 'support' },
  roles: { liaison: 'liaison', supervisor: 'supervisor', admin: 'admin', leader: 'leader' },
} satisfies typeof zh
